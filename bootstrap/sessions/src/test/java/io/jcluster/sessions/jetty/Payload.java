package io.jcluster.sessions.jetty;

import java.io.Serial;
import java.io.Serializable;

/** An attribute value of a class each test web app loads with its own loader (as a web app's classes are). */
public final class Payload implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    public Payload() {
    }
}
