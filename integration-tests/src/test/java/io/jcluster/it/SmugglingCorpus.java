package io.jcluster.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The seed corpus, {@code src/test/resources/smuggling/corpus.txt}: one vector per line, {@code name: bytes}, where
 * the bytes are written with escapes ({@code \r \n \t \\ \xHH}; every other character stands for itself, in
 * ISO-8859-1). Lines starting with {@code #} and empty lines are comments; a comment before a group names its
 * source. Names are unique.
 */
final class SmugglingCorpus {

    static final String RESOURCE = "/smuggling/corpus.txt";

    private SmugglingCorpus() {
    }

    static List<SmugglingVector> load() {
        try (InputStream in = SmugglingCorpus.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new AssertionError(RESOURCE + " is not on the test class path");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<SmugglingVector> parse(String text) {
        List<SmugglingVector> vectors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int number = 0;
        for (String line : text.split("\n")) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(": ");
            if (colon <= 0) {
                throw new AssertionError(RESOURCE + " line " + number + ": expected 'name: bytes'");
            }
            String name = line.substring(0, colon);
            if (!names.add(name)) {
                throw new AssertionError(RESOURCE + " line " + number + ": name '" + name + "' used twice");
            }
            vectors.add(new SmugglingVector(name, unescape(line.substring(colon + 2), number)));
        }
        return vectors;
    }

    static byte[] unescape(String text, int number) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (++i == text.length()) {
                throw new AssertionError(RESOURCE + " line " + number + ": a lone backslash at the end");
            }
            switch (text.charAt(i)) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '\\' -> out.write('\\');
                case 'x' -> {
                    out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new AssertionError(RESOURCE + " line " + number + ": unknown escape \\" + text.charAt(i));
            }
        }
        return out.toByteArray();
    }
}
