package io.jcluster.sessions.tomcat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared sessions that requests on this worker are using right now, one entry per session id however many
 * requests use it. Concurrent requests of one session on one worker share one session object, as they would on a
 * Tomcat without jcluster: the first loads it from the store, the others join it, each saves it as it ends, and
 * the last one out drops it from the manager. Without this, a second request would load the record again and the
 * two copies would overwrite each other's attributes.
 */
final class InFlightSessions {

    /** One session in use; its monitor orders the load and the saves of that session on this worker. */
    static final class Entry {
        final String id;
        /** Guarded by the map of {@link InFlightSessions}. */
        private int users;
        /** Guarded by this entry. */
        boolean loaded;
        /** Guarded by this entry: the session loaded for {@link #id}, or null when the store had none. */
        LoadedSession session;

        private Entry(String id) {
            this.id = id;
        }
    }

    private final Map<String, Entry> entries = new HashMap<>();

    /** The entry of session {@code id}, counting the caller as one more user. */
    Entry join(String id) {
        synchronized (entries) {
            Entry entry = entries.computeIfAbsent(id, Entry::new);
            entry.users++;
            return entry;
        }
    }

    /** Whether the caller is the only user of {@code entry} now (a request may still join before it leaves). */
    boolean alone(Entry entry) {
        synchronized (entries) {
            return entry.users == 1;
        }
    }

    /**
     * The caller stops using {@code entry}. When it was the last user, {@code whenLast} runs before another request
     * can join that id (so a request that comes next finds the manager without the session and loads the record).
     *
     * @return whether the caller was the last user
     */
    boolean leave(Entry entry, Runnable whenLast) {
        synchronized (entries) {
            if (--entry.users > 0) {
                return false;
            }
            entries.remove(entry.id, entry);
            whenLast.run();
            return true;
        }
    }

    /** The sessions loaded for the requests in flight now. */
    List<LoadedSession> loaded() {
        List<Entry> now;
        synchronized (entries) {
            now = new ArrayList<>(entries.values());
        }
        List<LoadedSession> sessions = new ArrayList<>();
        for (Entry entry : now) {
            synchronized (entry) { // never while holding the map: leave() takes the map inside an entry's monitor
                if (entry.session != null) {
                    sessions.add(entry.session);
                }
            }
        }
        return sessions;
    }

    /** How many sessions are in use (for tests). */
    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
