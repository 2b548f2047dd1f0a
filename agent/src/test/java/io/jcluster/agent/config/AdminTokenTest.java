package io.jcluster.agent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminTokenTest {

    private final List<String> warnings = new ArrayList<>();

    private String resolve(String argument, Map<String, String> environment) throws OptionException {
        return AdminToken.resolve(OptionParser.parse(argument), environment, warnings::add);
    }

    private String failure(String argument, Map<String, String> environment) {
        return assertThrows(OptionException.class, () -> resolve(argument, environment)).getMessage();
    }

    @Test
    void fromTheOptionTheFileOrTheEnvironment(@TempDir Path dir) throws Exception {
        assertNull(resolve("admin=9090", Map.of()));
        assertEquals("s3cret", resolve("admin=9090,admin-token=s3cret", Map.of()));
        Path file = secret(dir, "  from-file\n");
        assertEquals("from-file", resolve("admin=9090,admin-token-file=" + file, Map.of()), "trimmed");
        assertEquals("from-env", resolve("admin=9090", Map.of(AdminToken.ENVIRONMENT, "from-env")));
        assertEquals("same", resolve("admin=9090,admin-token=same", Map.of(AdminToken.ENVIRONMENT, "same")));
        assertNull(resolve("admin=9090", Map.of(AdminToken.ENVIRONMENT, "")), "an empty variable is no token");
        assertNull(resolve("", Map.of(AdminToken.ENVIRONMENT, "x")), "no admin endpoint, no token");
        assertEquals(List.of(), warnings);
    }

    @Test
    void aNonLoopbackAddressNeedsATokenFromAnySource(@TempDir Path dir) throws Exception {
        assertEquals("admin=0.0.0.0:9090: a non-loopback admin address needs a token: admin-token-file=PATH, env"
                + " JCLUSTER_ADMIN_TOKEN or admin-token=<secret> (whoever reaches it can reload, scale and restart"
                + " workers)", failure("admin=0.0.0.0:9090", Map.of()));
        assertEquals("e", resolve("admin=0.0.0.0:9090", Map.of(AdminToken.ENVIRONMENT, "e")));
        assertEquals("f", resolve("admin=0.0.0.0:9090,admin-token-file=" + secret(dir, "f"), Map.of()));
        assertEquals("o", resolve("admin=0.0.0.0:9090,admin-token=o", Map.of()));
    }

    @Test
    void badSourcesAreOneLineErrors(@TempDir Path dir) throws Exception {
        Path empty = secret(dir, " \n");
        assertEquals("admin-token-file=" + empty + ": the file is empty; put the admin token in it",
                failure("admin=9090,admin-token-file=" + empty, Map.of()));
        Path missing = dir.resolve("missing");
        assertEquals("admin-token-file=" + missing + ": no such file",
                failure("admin=9090,admin-token-file=" + missing, Map.of()));
        assertEquals("admin-token-file=" + dir + ": not a regular file; expected a file holding the token",
                failure("admin=9090,admin-token-file=" + dir, Map.of()));
        Path twoWords = secret(dir, "two words");
        assertEquals("admin-token-file=" + twoWords + ": expected the token on one line, without spaces, commas or"
                + " control characters", failure("admin=9090,admin-token-file=" + twoWords, Map.of()));
        Path big = secret(dir, "x".repeat(AdminToken.MAX_FILE_BYTES + 1));
        assertEquals("admin-token-file=" + big + ": 4097 bytes; expected one line with the token",
                failure("admin=9090,admin-token-file=" + big, Map.of()));
        assertEquals("JCLUSTER_ADMIN_TOKEN: expected a secret without spaces or control characters",
                failure("admin=9090", Map.of(AdminToken.ENVIRONMENT, "a b")));
        Path file = secret(dir, "one");
        assertEquals("JCLUSTER_ADMIN_TOKEN is set and differs from the token of admin-token-file=" + file
                + "; unset it or give one token only",
                failure("admin=9090,admin-token-file=" + file, Map.of(AdminToken.ENVIRONMENT, "other")));
        assertEquals("JCLUSTER_ADMIN_TOKEN is set and differs from the token of admin-token; unset it or give one"
                + " token only", failure("admin=9090,admin-token=one", Map.of(AdminToken.ENVIRONMENT, "other")));
    }

    @Test
    void aFileOthersCanReadIsUsedWithAWarning(@TempDir Path dir) throws Exception {
        Path file = secret(dir, "t");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("t", resolve("admin=9090,admin-token-file=" + file, Map.of()));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("admin-token-file=" + file + " is readable by other users (mode"
                + " rw-r--r--); chmod 600 it"), warnings.get(0));
    }

    private static Path secret(Path dir, String content) throws IOException {
        Path file = Files.createTempFile(dir, "token", "",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, content);
    }
}
