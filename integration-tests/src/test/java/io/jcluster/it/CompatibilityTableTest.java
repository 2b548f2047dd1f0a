package io.jcluster.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table of docs/compatibility.md names exactly the stacks {@link CompatibilityIT} runs, in its order, with the
 * versions integration-tests/apps/pom.xml pins and the way each binds: a stack added to or removed from the
 * matrix, or a version bump, fails here until docs/compatibility.md says the same.
 */
class CompatibilityTableTest {

    static final String MARKER = "<!-- compatibility matrix: checked against the tests by CompatibilityTableTest -->";

    @Test
    void docsTableMatchesTheMatrix() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("../docs/compatibility.md"));
        int start = lines.indexOf(MARKER);
        assertTrue(start >= 0, "docs/compatibility.md has no line " + MARKER);
        List<String> rows = new ArrayList<>();
        for (int i = start + 3; i < lines.size() && lines.get(i).startsWith("|"); i++) { // marker, header, separator
            rows.add(lines.get(i));
        }
        String pom = Files.readString(Path.of("apps/pom.xml"));
        List<String> expected = new ArrayList<>();
        for (Stack stack : Stack.values()) {
            expected.add("| " + stack.title + " | " + version(pom, stack) + " | " + stack.binds + " |");
        }
        List<String> actual = rows.stream().map(row -> {
            String[] cells = row.split("\\|");
            return "| " + cells[1].trim() + " | " + cells[2].trim() + " | " + cells[3].trim() + " |";
        }).toList();
        assertEquals(expected, actual, "docs/compatibility.md's table (stack | version | binds | ...) must list"
                + " the Stack enum in order, with the pinned versions");
    }

    private static String version(String pom, Stack stack) {
        if (stack.versionProperty.equals("JDK")) {
            return "JDK";
        }
        Matcher version = Pattern.compile("<" + Pattern.quote(stack.versionProperty) + ">([^<]+)<").matcher(pom);
        assertTrue(version.find(), "apps/pom.xml pins no " + stack.versionProperty);
        return version.group(1);
    }
}
