package io.jcluster.agent.supervisor;

/** How an operation (reload, scale, restart) ended, in words a user can act on. */
public record Outcome(boolean ok, String message) {

    static Outcome done(String message) {
        return new Outcome(true, message);
    }

    static Outcome failed(String message) {
        return new Outcome(false, message);
    }
}
