package io.jcluster.agent.cluster;

/**
 * Where the Cluster API's state lives, seen from the parent: the shared maps, the messages between workers, and the
 * lease that lets one of this host's workers lead. {@code store=embedded} (the default) keeps all three in the
 * parent; {@code store=redis://...} in Redis, shared by several hosts. Nothing here blocks the caller: the maps
 * answer with futures, publishing hands the message on.
 */
public interface Store extends AutoCloseable {

    /** How {@code /status} names it: "embedded", or the Redis URI without any password. */
    String kind();

    /** Whether it answers now, and why not. */
    Health health();

    SharedMaps maps();

    MessageBus messages();

    HostLease lease();

    @Override
    void close();

    record Health(boolean up, String detail) {
    }
}
