package io.jcluster.agent.supervisor;

/** Told when a rolling reload begins and how it ended (systemd's RELOADING=1, then READY=1). */
public interface ReloadListener {

    ReloadListener NONE = new ReloadListener() {
        @Override
        public void reloading() {
        }

        @Override
        public void reloaded(Outcome outcome) {
        }
    };

    /** A reload was asked for; it runs when the operation queue is free (or ends at once as busy). */
    void reloading();

    /** @param outcome how it ended; null when it failed unexpectedly */
    void reloaded(Outcome outcome);
}
