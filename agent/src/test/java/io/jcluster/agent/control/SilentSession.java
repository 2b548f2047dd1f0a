package io.jcluster.agent.control;

import java.net.InetSocketAddress;

/** A worker's control session whose text messages nobody needs: for tests of the Cluster API frames alone. */
public final class SilentSession implements ControlListener.Session {

    @Override
    public void bound(InetSocketAddress requested, int actualPort) {
    }

    @Override
    public void unclustered(InetSocketAddress requested) {
    }

    @Override
    public void stats(ControlMessage.Stats stats) {
    }

    @Override
    public void dumpLine(String text) {
    }

    @Override
    public void dumpEnd() {
    }

    @Override
    public void closed() {
    }
}
