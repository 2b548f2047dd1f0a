package io.jcluster.agent.config;

import java.time.Duration;

/**
 * How ready workers are probed, and when one is taken out of rotation and replaced.
 *
 * @param path      the HTTP path of an HTTP probe ({@code health=/path}); null for a TCP connect
 * @param interval  how often each ready worker is probed; also a probe's time limit
 * @param threshold failed probes in a row after which a worker is replaced
 */
public record HealthOptions(String path, Duration interval, int threshold) {

    /** Whether workers are probed with an HTTP GET ({@code health=/path}) rather than a TCP connect. */
    public boolean overHttp() {
        return path != null;
    }
}
