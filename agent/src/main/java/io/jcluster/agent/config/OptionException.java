package io.jcluster.agent.config;

/** A bad option, with a message that names it and says what is accepted: "processes=abc: expected ...". */
public final class OptionException extends Exception {

    private static final long serialVersionUID = 1L;

    OptionException(String message) {
        super(message);
    }

    static OptionException badValue(Option option, String value) {
        return new OptionException(option.key() + "=" + value + ": expected " + option.accepts());
    }
}
