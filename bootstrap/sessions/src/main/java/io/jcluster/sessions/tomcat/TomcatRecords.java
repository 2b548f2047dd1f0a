package io.jcluster.sessions.tomcat;

import io.jcluster.sessions.SessionRecord;
import org.apache.catalina.Manager;
import org.apache.catalina.session.StandardSession;

import java.io.IOException;
import java.io.Serializable;
import java.security.Principal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A Tomcat session to the cluster's {@link SessionRecord} and back. Besides the attributes, the record carries the
 * login that Tomcat's authenticators cache in the session (auth type and principal), under two names no app uses,
 * so a user logged in on one worker is logged in on all.
 */
final class TomcatRecords {

    static final String AUTH_TYPE = "io.jcluster.tomcat.authType";
    static final String PRINCIPAL = "io.jcluster.tomcat.principal";
    /** Tomcat never persists this one (the valve itself, kept in crawlers' sessions); nor do we. */
    private static final String CRAWLER_VALVE = "org.apache.catalina.valves.CrawlerSessionManagerValve";

    private TomcatRecords() {
    }

    /**
     * The record of a valid session; the last access is the start of the request now ending (Tomcat moves it when
     * the request is recycled, after the valves).
     *
     * @throws SessionRecord.Unshareable naming the attribute (or the login) that cannot be serialized
     */
    static SessionRecord record(StandardSession session) throws SessionRecord.Unshareable {
        Map<String, byte[]> attributes = new LinkedHashMap<>();
        for (String name : Collections.list(session.getAttributeNames())) {
            Object value = session.getAttribute(name);
            if (value != null && !name.equals(CRAWLER_VALVE)) {
                attributes.put(name, SessionRecord.serialize(name, value));
            }
        }
        Principal principal = session.getPrincipal();
        if (principal != null) {
            if (!(principal instanceof Serializable)) {
                throw new SessionRecord.Unshareable("the session's login (a " + principal.getClass().getName()
                        + ") is not Serializable");
            }
            attributes.put(PRINCIPAL, SessionRecord.serialize("the session's login", principal));
            if (session.getAuthType() != null) {
                attributes.put(AUTH_TYPE, SessionRecord.serialize("the session's auth type", session.getAuthType()));
            }
        }
        return new SessionRecord(session.getIdInternal(), session.getCreationTimeInternal(),
                session.getThisAccessedTimeInternal(), session.getMaxInactiveInterval(), attributes);
    }

    /**
     * The session of {@code record}, not yet added to {@code manager}. An attribute that no longer deserializes
     * (its class changed incompatibly in a new version of the app, or is gone) is left out with one line to
     * {@code log}: the session goes on without it, as the app would find it had it never been set.
     */
    static LoadedSession session(Manager manager, SessionRecord record, ClassLoader webApp, Consumer<String> log) {
        LoadedSession session = new LoadedSession(manager, record);
        for (Map.Entry<String, byte[]> attribute : record.attributes().entrySet()) {
            Object value;
            try {
                value = SessionRecord.deserialize(attribute.getValue(), webApp);
            } catch (IOException | ClassNotFoundException | RuntimeException e) {
                log.accept("sessions=shared: attribute '" + attribute.getKey() + "' of a session of context '"
                        + manager.getContext().getName() + "' could not be read back (" + e
                        + "); the session goes on without it");
                continue;
            }
            if (value == null) {
                continue;
            }
            switch (attribute.getKey()) {
                case PRINCIPAL -> {
                    if (value instanceof Principal principal) {
                        session.setPrincipal(principal);
                    }
                }
                case AUTH_TYPE -> {
                    if (value instanceof String authType) {
                        session.setAuthType(authType);
                    }
                }
                default -> session.restoreAttribute(attribute.getKey(), value);
            }
        }
        return session;
    }
}
