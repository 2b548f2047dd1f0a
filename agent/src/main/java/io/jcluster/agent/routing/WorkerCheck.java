package io.jcluster.agent.routing;

/**
 * How the supervisor tells that a worker serves, before it enters rotation and then periodically. The routing mode
 * decides, because only it knows where a worker's connections arrive.
 */
public enum WorkerCheck {

    /**
     * The worker's private ports, which only it listens on: a tcp connect to each, or with {@code health=/path} an
     * HTTP GET on the first (balancer=proxy).
     */
    PRIVATE_PORTS,

    /**
     * Every worker listens on the same port and a connect would reach whichever one the kernel picks, so /proc is
     * asked whether this process still holds a listening socket on each port it bound (balancer=kernel).
     */
    LISTENING_SOCKETS
}
