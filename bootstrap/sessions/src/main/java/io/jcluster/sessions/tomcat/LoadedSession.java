package io.jcluster.sessions.tomcat;

import io.jcluster.sessions.SessionRecord;
import org.apache.catalina.Manager;
import org.apache.catalina.session.StandardSession;

/**
 * A session rebuilt from the cluster's record: the record's id, times and timeout, set without the notifications
 * that {@code setId} or {@code setCreationTime} would send (a loaded session was created elsewhere, earlier). It
 * also notes whether any request used it, so a request that carried the cookie but never asked for its session
 * does not save it (Tomcat moves the last access only when something asks for the session: the servlet, or an
 * authenticator that caches the login in the session, which every context has by default).
 */
final class LoadedSession extends StandardSession {

    private static final long serialVersionUID = 1L;

    private transient volatile boolean touched;

    LoadedSession(Manager manager, SessionRecord record) {
        super(manager);
        this.id = record.id();
        this.creationTime = record.creationTime();
        this.lastAccessedTime = record.lastAccessedTime();
        this.thisAccessedTime = record.lastAccessedTime();
        this.maxInactiveInterval = record.maxInactiveSeconds();
        this.isNew = false;
        this.isValid = true;
    }

    /** An attribute as the record holds it, without valueBound or attribute listeners (rule: they fire where set). */
    void restoreAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public void access() {
        touched = true;
        super.access();
    }

    /** A request asked for this session since it was loaded. */
    boolean touched() {
        return touched;
    }
}
