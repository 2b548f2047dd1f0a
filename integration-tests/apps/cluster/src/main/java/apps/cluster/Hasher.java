package apps.cluster;

import io.jcluster.Cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/** CPU-heavy work (SHA-256 applied {@code rounds} times) on the cluster's offload pool, off the server's threads. */
final class Hasher {

    static final int MAX_ROUNDS = 50_000_000;

    private Hasher() {
    }

    /**
     * The hash, computed on {@link Cluster#offload()}. Throws {@link java.util.concurrent.RejectedExecutionException}
     * at once when the pool's queue is full.
     */
    static CompletableFuture<String> hashAsync(int rounds) {
        return CompletableFuture.supplyAsync(() -> hash(rounds), Cluster.offload());
    }

    static String hash(int rounds) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = "jcluster".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < rounds; i++) {
                digest = sha.digest(digest);
            }
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
