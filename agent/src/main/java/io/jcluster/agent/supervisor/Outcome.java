package io.jcluster.agent.supervisor;

/** How an operation (reload, scale, restart, a replacement) ended, in words a user can act on. */
public record Outcome(Kind kind, String message) {

    public enum Kind {
        DONE,
        FAILED,
        /** Not started: another reload, scale or restart was running. */
        BUSY
    }

    public boolean ok() {
        return kind == Kind.DONE;
    }

    static Outcome done(String message) {
        return new Outcome(Kind.DONE, message);
    }

    static Outcome failed(String message) {
        return new Outcome(Kind.FAILED, message);
    }

    static Outcome busy(String message) {
        return new Outcome(Kind.BUSY, message);
    }
}
