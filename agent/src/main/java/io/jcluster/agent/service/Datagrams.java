package io.jcluster.agent.service;

import java.io.IOException;

/** Where notification datagrams go: the unix socket of {@code NOTIFY_SOCKET}, or a test's recorder. */
interface Datagrams extends AutoCloseable {

    /** Sends one datagram; returns false when it could not be sent now (the receiver's queue is full). */
    boolean send(byte[] message) throws IOException;

    @Override
    void close();
}
