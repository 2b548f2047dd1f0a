package io.jcluster.sessions.tomcat;

import io.jcluster.bootstrap.SharedSessions;
import io.jcluster.sessions.RateLimitedLog;
import io.jcluster.sessions.SessionRecord;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.Loader;
import org.apache.catalina.Manager;
import org.apache.catalina.Session;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.session.StandardManager;
import org.apache.catalina.session.StandardSession;
import org.apache.catalina.valves.ValveBase;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes the cluster's store the home of a context's sessions, request by request, inside Tomcat's own
 * {@link StandardManager}:
 * <ul>
 * <li>before the request: the requested session is loaded from the store into the manager (replacing any copy this
 *     worker held), or, when the store has none, Tomcat finds no session and creates one as usual. A record past its
 *     timeout is expired here ({@code sessionDestroyed} fires on this worker) and removed;</li>
 * <li>before the response can reach the client: the session the request used is saved (or removed when the app
 *     invalidated it). The application gets a {@link SaveBeforeCommitResponse}, which saves just before the first
 *     flush, close, sendError, sendRedirect or write that fills the buffer or reaches the Content-Length; when the
 *     application does none of these, Tomcat commits the response only after the valve returns, and the save runs
 *     there (an async request: in its completion listener, which Tomcat calls before it sends the answer). So the
 *     client never sees an answer before the store holds its session;</li>
 * <li>after the request: the session is saved again only if it changed since that early save, and dropped from the
 *     manager, so no worker serves a stale copy later;</li>
 * <li>a session that cannot be shared (an attribute that is not serializable, a record above max-message) is kept
 *     in the manager of this worker only, as Tomcat would keep it without jcluster, and the store told
 *     ({@code keptLocal}: one warning, counted).</li>
 * </ul>
 * Concurrent requests of one session on this worker share one session object ({@link InFlightSessions}).
 * Contexts whose manager is not a {@link StandardManager} (Tomcat's own clustering, a PersistentManager) are left
 * as they are configured, with one line.
 */
final class SessionSharingValve extends ValveBase {

    /** The note that marks a session kept in this worker's memory only; its value says why. */
    static final String LOCAL = "io.jcluster.tomcat.local";

    private final SharedSessions.Store store;
    private final InFlightSessions inFlight = new InFlightSessions();
    private final RateLimitedLog failures;
    private final AtomicBoolean toldUnsupported = new AtomicBoolean();

    SessionSharingValve(SharedSessions.Store store) {
        super(true); // async requests keep working in the context: the valve ends their session use on completion
        this.store = store;
        this.failures = new RateLimitedLog(store::log, System::nanoTime);
    }

    /** The context's name in the store: its path, "/" for the root, the same on every worker and every cluster. */
    static String storeName(Context context) {
        String path = context.getPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    /** What one request holds: the requested id and the session loaded for it, or the local session it found. */
    private record Use(String requestedId, InFlightSessions.Entry entry, LoadedSession loaded, Session local) {
        static final Use NONE = new Use(null, null, null, null);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        Context context = request.getContext();
        Manager manager = context == null ? null : context.getManager();
        if (!(manager instanceof StandardManager)) {
            if (manager != null && toldUnsupported.compareAndSet(false, true)) {
                store.log("sessions=shared: tomcat context '" + storeName(context) + "' uses its own session manager ("
                        + manager.getClass().getName() + "); its sessions stay where that manager keeps them");
            }
            getNext().invoke(request, response);
            return;
        }
        Use use;
        try {
            use = begin(context, manager, request.getRequestedSessionId());
        } catch (RuntimeException e) {
            // the store did not answer: a new empty session would silently log the user out
            failures.log("sessions=shared: could not load a session of tomcat context '" + storeName(context)
                    + "' from the store (" + e + "); that request failed with 500");
            response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            return;
        }
        Saves saves = new Saves(context, request, use);
        response.setResponse(new SaveBeforeCommitResponse(response.getResponse(), saves));
        boolean async = false;
        try {
            getNext().invoke(request, response);
            async = request.isAsync();
            if (async) {
                request.getAsyncContext().addListener(new EndOnCompletion(context, manager, use, request, saves));
            }
        } finally {
            if (!async) {
                end(context, manager, use, request, saves);
            }
        }
    }

    /**
     * What one request saved before its response was committed, so that its end saves only what changed since
     * (one save per request when nothing did) and removes what was invalidated since. Its monitor orders that
     * early save against the end of the request: once the request ended (its session may be dropped from the
     * manager), a late flush (an error page) saves nothing.
     */
    private final class Saves implements Runnable {
        private final Context context;
        private final Request request;
        private final Use use;
        private final List<Saved> saved = new ArrayList<>(2);
        private final Set<String> removed = new HashSet<>(2);
        private boolean ended;

        private record Saved(StandardSession session, String id, byte[] record) {
        }

        Saves(Context context, Request request, Use use) {
            this.context = context;
            this.request = request;
            this.use = use;
        }

        /** The response is about to be committed: save what the request changed so far. */
        @Override
        public synchronized void run() {
            if (!ended) {
                saveBeforeCommit(context, use, request, this);
            }
        }

        /** Whether {@code record} is what this request saved for {@code id} already. */
        boolean holds(String id, byte[] record) {
            for (Saved early : saved) {
                if (early.id.equals(id) && Arrays.equals(early.record, record)) {
                    return true;
                }
            }
            return false;
        }

        void saved(StandardSession session, String id, byte[] record) {
            saved.removeIf(early -> early.session == session);
            saved.add(new Saved(session, id, record));
        }

        /** False when this request removed {@code id} already. */
        boolean remove(String id) {
            return removed.add(id);
        }
    }

    /** Saves the session the request used so far (not dropping it: the request goes on with it). */
    private void saveBeforeCommit(Context context, Use use, Request request, Saves saves) {
        String name = storeName(context);
        LoadedSession loaded = use.loaded();
        try {
            if (loaded != null) {
                synchronized (use.entry()) {
                    if (loaded.touched()) {
                        String id = loaded.getIdInternal();
                        if (!loaded.isValid()) {
                            removeQuietly(name, use.requestedId(), saves);
                            removeQuietly(name, id, saves);
                        } else {
                            if (!use.requestedId().equals(id)) {
                                removeQuietly(name, use.requestedId(), saves);
                            }
                            share(name, loaded, saves);
                        }
                    }
                }
            }
            Session current = current(context, use, request);
            if (created(current, use)) {
                share(name, (StandardSession) current, saves);
            }
        } catch (RuntimeException e) {
            failures.log("sessions=shared: could not save a session of tomcat context '" + name
                    + "' before its response (" + e + "); it is saved when the request ends");
        }
    }

    private Use begin(Context context, Manager manager, String id) {
        if (id == null) {
            return Use.NONE;
        }
        Session held = find(manager, id);
        if (held != null && held.getNote(LOCAL) != null) {
            return new Use(id, null, null, held);
        }
        InFlightSessions.Entry entry = inFlight.join(id);
        try {
            synchronized (entry) {
                if (!entry.loaded) {
                    entry.session = load(context, manager, id);
                    entry.loaded = true;
                }
                return new Use(id, entry, entry.session, null);
            }
        } catch (RuntimeException e) {
            inFlight.leave(entry, () -> { });
            throw e;
        }
    }

    /** The session of {@code id} from the store, added to the manager; null (and nothing added) when there is none. */
    private LoadedSession load(Context context, Manager manager, String id) {
        Session stale = find(manager, id);
        if (stale != null) {
            if (stale.getNote(LOCAL) != null) {
                return null; // became local meanwhile: Tomcat finds it in the manager itself
            }
            manager.remove(stale); // a copy no request uses: the store's record replaces it
        }
        String name = storeName(context);
        byte[] bytes = store.load(name, id);
        if (bytes == null) {
            return null;
        }
        SessionRecord record;
        try {
            record = SessionRecord.decode(bytes);
        } catch (IOException e) {
            failures.log("sessions=shared: the store's entry for a session of tomcat context '" + name
                    + "' is not a session record (" + e.getMessage() + "); treated as no session");
            return null;
        }
        if (!record.id().equals(id)) {
            failures.log("sessions=shared: the store's entry for a session of tomcat context '" + name
                    + "' holds another session's id; treated as no session");
            return null;
        }
        LoadedSession session = TomcatRecords.session(manager, record, webAppLoader(context), failures::log);
        if (expired(record, System.currentTimeMillis())) {
            session.expire(); // sessionDestroyed and the attributes' unbinding, on this worker
            store.remove(name, id);
            return null;
        }
        manager.add(session);
        session.activate();
        return session;
    }

    /**
     * The context is about to stop: its manager will expire every session it holds, which for a shared session still
     * in use by a request would fire sessionDestroyed for a session that lives on in the cluster, and make that
     * request remove its record. Such sessions leave the manager now; their requests still save them as they end.
     */
    void contextStopping(Manager manager) {
        for (LoadedSession session : inFlight.loaded()) {
            if (session.getNote(LOCAL) == null && find(manager, session.getIdInternal()) == session) {
                manager.remove(session);
            }
        }
    }

    /** Sessions that requests on this worker are using now (for tests: none once all requests ended). */
    int sessionsInUse() {
        return inFlight.size();
    }

    static boolean expired(SessionRecord record, long now) {
        return record.maxInactiveSeconds() > 0
                && now - record.lastAccessedTime() >= record.maxInactiveSeconds() * 1000L;
    }

    /** The session the request holds now, null when it never asked for the one it loaded. */
    private static Session current(Context context, Use use, Request request) {
        LoadedSession loaded = use.loaded();
        if (loaded != null && !loaded.touched() && !context.getAlwaysAccessSession()) {
            return null; // the request never asked for its session: nothing changed, the last access stays
        } else if (use.local() != null && use.local().isValid()) {
            return use.local();
        }
        return request.getSessionInternal(false);
    }

    /** Whether {@code current} is a shared session this request created (none was requested, or it replaced one). */
    private static boolean created(Session current, Use use) {
        return current != null && current != use.loaded() && current != use.local()
                && current.getNote(LOCAL) == null && current instanceof StandardSession;
    }

    private void end(Context context, Manager manager, Use use, Request request, Saves saves) {
        synchronized (saves) {
            saves.ended = true;
            LoadedSession loaded = use.loaded();
            Session current = current(context, use, request);
            String name = storeName(context);
            if (loaded != null) {
                endLoaded(manager, name, use, loaded.touched(), saves);
            } else if (use.entry() != null) {
                inFlight.leave(use.entry(), () -> { }); // the store had no such session: nothing to drop
            }
            if (created(current, use)) {
                StandardSession created = (StandardSession) current;
                created.passivate();
                if (share(name, created, saves)) {
                    manager.remove(created);
                } else {
                    created.activate();
                }
            }
            for (Saves.Saved early : List.copyOf(saves.saved)) {
                // saved before the response, then invalidated or given a new id: that record is no session now
                if (!early.session().isValid() || !early.id().equals(early.session().getIdInternal())) {
                    removeQuietly(name, early.id(), saves);
                }
            }
        }
    }

    /** Saves (or removes) the loaded session; the last request of it on this worker drops it from the manager. */
    private void endLoaded(Manager manager, String name, Use use, boolean touched, Saves saves) {
        InFlightSessions.Entry entry = use.entry();
        LoadedSession loaded = use.loaded();
        synchronized (entry) {
            boolean passivated = false;
            boolean last;
            try {
                passivated = saveLoaded(name, use, touched, saves);
            } finally {
                last = inFlight.leave(entry, () -> {
                    if (loaded.getNote(LOCAL) == null && find(manager, loaded.getIdInternal()) == loaded) {
                        manager.remove(loaded);
                    }
                });
            }
            if (passivated && !last) {
                loaded.activate(); // a request joined while this one saved: it goes on with the session
            }
        }
    }

    /** Saves or removes the loaded session's record; whether it passivated the session for that. */
    private boolean saveLoaded(String name, Use use, boolean touched, Saves saves) {
        LoadedSession loaded = use.loaded();
        if (!touched) {
            return false;
        }
        String id = loaded.getIdInternal();
        if (!loaded.isValid()) { // invalidated (or timed out) during the request
            removeQuietly(name, use.requestedId(), saves);
            if (!use.requestedId().equals(id)) {
                removeQuietly(name, id, saves);
            }
            return false;
        }
        if (!use.requestedId().equals(id)) {
            removeQuietly(name, use.requestedId(), saves); // the app changed the id (changeSessionId)
        }
        boolean passivated = inFlight.alone(use.entry()) && loaded.getNote(LOCAL) == null;
        if (passivated) {
            loaded.passivate();
        }
        if (!share(name, loaded, saves) && passivated) {
            loaded.activate(); // it stays in this worker's memory, in use
            passivated = false;
        }
        return passivated;
    }

    /**
     * Saves the session's record unless this request saved that same record before its response (then it changed
     * nothing since); false when the session must stay in this worker's memory (then it is marked so).
     * A store failure is one line and the session is dropped like a saved one: the store stays the authority.
     */
    private boolean share(String name, StandardSession session, Saves saves) {
        if (session.getNote(LOCAL) != null) {
            return false;
        }
        String id = session.getIdInternal();
        byte[] record;
        try {
            record = TomcatRecords.record(session).encode();
        } catch (SessionRecord.Unshareable e) {
            session.setNote(LOCAL, e.getMessage());
            store.keptLocal("tomcat", name, e.getMessage());
            removeQuietly(name, id, null); // an older record of this session would be a stale copy elsewhere
            return false;
        } catch (IllegalStateException e) {
            return false; // invalidated by another request of this session meanwhile: nothing to save
        }
        if (saves.holds(id, record)) {
            return true;
        }
        int timeout = session.getMaxInactiveInterval();
        try {
            if (store.save(name, id, record, timeout > 0 ? timeout + 60L : 0L)) {
                saves.saved(session, id, record);
                return true;
            }
        } catch (RuntimeException e) {
            failures.log("sessions=shared: could not save a session of tomcat context '" + name + "' ("
                    + e + "); the response went on, the store keeps its previous state of that session");
            return true;
        }
        session.setNote(LOCAL, "larger than max-message"); // the store counted and warned
        removeQuietly(name, id, null);
        return false;
    }

    /** Removes the record of {@code id}, unless {@code saves} (when given) says this request removed it already. */
    private void removeQuietly(String name, String id, Saves saves) {
        if (saves != null && !saves.remove(id)) {
            return;
        }
        try {
            store.remove(name, id);
        } catch (RuntimeException e) {
            failures.log("sessions=shared: could not remove a session of tomcat context '" + name
                    + "' from the store (" + e + ")");
        }
    }

    private static Session find(Manager manager, String id) {
        try {
            return manager.findSession(id);
        } catch (IOException e) {
            return null; // StandardManager never throws it
        }
    }

    private static ClassLoader webAppLoader(Context context) {
        Loader loader = context.getLoader();
        ClassLoader webApp = loader == null ? null : loader.getClassLoader();
        return webApp != null ? webApp : Thread.currentThread().getContextClassLoader();
    }

    /** Ends an async request's use of its session when the request completes (once, whatever the outcome). */
    private final class EndOnCompletion implements AsyncListener {
        private final Context context;
        private final Manager manager;
        private final Use use;
        private final Request request;
        private final Saves saves;
        private final AtomicBoolean ended = new AtomicBoolean();

        EndOnCompletion(Context context, Manager manager, Use use, Request request, Saves saves) {
            this.context = context;
            this.manager = manager;
            this.use = use;
            this.request = request;
            this.saves = saves;
        }

        private void endOnce() {
            if (ended.compareAndSet(false, true)) {
                end(context, manager, use, request, saves);
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            endOnce();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this); // a new async cycle drops the listeners of the last one
        }
    }
}
