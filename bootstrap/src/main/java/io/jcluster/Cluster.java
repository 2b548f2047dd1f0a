package io.jcluster;

/**
 * What an app may ask about the cluster it runs in. The app does not need this class at all; it is here for
 * apps that want to log or label their worker. Outside a cluster every method answers as for a single process.
 */
public final class Cluster {

    private Cluster() {
    }

    /** This worker's id, 0..workers()-1, or -1 when the process is not a jcluster worker. */
    public static int workerId() {
        return intProperty("jcluster.worker.id", -1);
    }

    /** How many workers the cluster was started with, or 1 when the process is not a jcluster worker. */
    public static int workers() {
        return intProperty("jcluster.workers", 1);
    }

    public static boolean isWorker() {
        return workerId() >= 0;
    }

    private static int intProperty(String name, int absent) {
        String value = System.getProperty(name);
        if (value == null) {
            return absent;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return absent;
        }
    }
}
