package io.jcluster.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The parent's admin token, from one of three places: {@code admin-token=} (visible in the process list, as every
 * agent argument is), {@code admin-token-file=PATH} or the environment variable {@value #ENVIRONMENT} (neither of
 * which is). Resolved once, in the parent only: workers never read the file, and the variable is removed from
 * their environment.
 */
public final class AdminToken {

    /** The parent's token when no option names one; also the CLI's. */
    public static final String ENVIRONMENT = "JCLUSTER_ADMIN_TOKEN";

    /** A token file is one line; anything bigger is not a token file. */
    static final int MAX_FILE_BYTES = 4096;

    private static final Set<PosixFilePermission> READABLE_BY_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

    private AdminToken() {
    }

    /**
     * The token every admin request must carry, or null when none is required. A non-loopback admin address
     * without a token is refused: whoever reaches it could reload, scale and restart workers.
     *
     * @param warnings gets a line to log when the token file is readable by other users
     */
    public static String resolve(Options options, Map<String, String> environment, Consumer<String> warnings)
            throws OptionException {
        return resolve(options.admin(), environment, warnings, Machine.LOCAL);
    }

    static String resolve(AdminOptions admin, Map<String, String> environment, Consumer<String> warnings,
                          Machine machine) throws OptionException {
        if (!admin.enabled()) {
            return null;
        }
        String given = admin.token();
        String source = "admin-token";
        if (admin.tokenFile() != null) {
            given = read(admin.tokenFile(), warnings, machine);
            source = "admin-token-file=" + admin.tokenFile();
        }
        String fromEnvironment = environment.get(ENVIRONMENT);
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            if (given == null) {
                if (!wellFormed(fromEnvironment)) {
                    throw new OptionException(ENVIRONMENT + ": expected a secret without spaces or control characters");
                }
                given = fromEnvironment;
            } else if (!given.equals(fromEnvironment)) {
                throw new OptionException(ENVIRONMENT + " is set and differs from the token of " + source
                        + "; unset it or give one token only");
            }
        }
        if (given == null && !admin.address().getAddress().isLoopbackAddress()) {
            throw new OptionException("admin=" + AdminOptions.describe(admin.address()) + ": a non-loopback admin"
                    + " address needs a token: admin-token-file=PATH, env " + ENVIRONMENT + " or admin-token=<secret>"
                    + " (whoever reaches it can reload, scale and restart workers)");
        }
        return given;
    }

    /** A token travels in a header line: no spaces, no control characters, no commas (the agent argument's list). */
    static boolean wellFormed(String token) {
        return !token.isEmpty() && token.chars().noneMatch(c -> c <= ' ' || c == 127 || c == ',');
    }

    private static String read(Path file, Consumer<String> warnings, Machine machine) throws OptionException {
        String name = "admin-token-file=" + file;
        byte[] bytes;
        try {
            Machine.FileFacts attributes = machine.describe(file);
            if (!attributes.regularFile()) {
                throw new OptionException(name + ": not a regular file; expected a file holding the token");
            }
            if (attributes.size() > MAX_FILE_BYTES) {
                throw new OptionException(name + ": " + attributes.size() + " bytes; expected one line with the token");
            }
            // not EnumSet.copyOf: it throws on the empty set of a mode-000 file
            Set<PosixFilePermission> others = EnumSet.noneOf(PosixFilePermission.class);
            others.addAll(attributes.permissions());
            others.retainAll(READABLE_BY_OTHERS);
            bytes = machine.read(file);
            if (!others.isEmpty()) {
                // ssh refuses such a key; a token file mounted from a container secret is often 0644 or 0444, so
                // refusing would break common deployments: say it once instead
                warnings.accept(name + " is readable by other users (mode "
                        + PosixFilePermissions.toString(attributes.permissions())
                        + "); chmod 600 it so that only the cluster's user can read the admin token");
            }
        } catch (NoSuchFileException e) {
            throw new OptionException(name + ": no such file");
        } catch (AccessDeniedException e) {
            throw new OptionException(name + ": the file is not readable by this user");
        } catch (UnsupportedOperationException e) {
            throw new OptionException(name + ": cannot read its permissions on this file system");
        } catch (IOException e) {
            throw new OptionException(name + ": cannot read it (" + e.getMessage() + ")");
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new OptionException(name + ": longer than " + MAX_FILE_BYTES + " bytes; expected one line with the token");
        }
        String token = new String(bytes, StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new OptionException(name + ": the file is empty; put the admin token in it");
        }
        if (!wellFormed(token)) {
            throw new OptionException(name + ": expected the token on one line, without spaces, commas or control"
                    + " characters");
        }
        return token;
    }
}
