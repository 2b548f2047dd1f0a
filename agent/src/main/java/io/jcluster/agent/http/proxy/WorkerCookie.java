package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.MessageHead;
import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.http.wire.MessageHead;

/**
 * sticky=cookie: the parent's own cookie names the worker that served the client first ({@code JCLUSTER=w1}), and
 * later requests carrying it go there while that worker is in rotation. A request whose worker is gone is
 * balanced as usual and gets a new cookie.
 */
final class WorkerCookie implements Stickiness {

    static final String DEFAULT_NAME = "JCLUSTER";

    private final String name;

    WorkerCookie(String name) {
        this.name = name;
    }

    @Override
    public String cookie(MessageHead request) {
        return Stickiness.cookie(request, name);
    }

    @Override
    public Backend route(String cookie, Backend[] backends) {
        int owner = owner(cookie);
        return owner < 0 ? null : Stickiness.byOwner(backends, owner);
    }

    @Override
    public String learn(String requestCookie, MessageHead response, Backend served, boolean secure) {
        if (owner(requestCookie) != served.owner()) {
            return name + "=w" + served.owner() + "; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
        }
        return null;
    }

    /** w<id> -> id; anything else (absent, tampered) -> -1. */
    private static int owner(String value) {
        if (value == null || value.length() < 2 || value.length() > 6 || value.charAt(0) != 'w') {
            return -1;
        }
        int owner = 0;
        for (int i = 1; i < value.length(); i++) {
            char digit = value.charAt(i);
            if (digit < '0' || digit > '9') {
                return -1;
            }
            owner = owner * 10 + (digit - '0');
        }
        return owner;
    }
}
