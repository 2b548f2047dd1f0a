package io.jcluster.agent.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/options.md mirrors {@link Option}: the same keys in the same order, each with the code's default. */
class OptionsDocumentationTest {

    private static final Path TABLE = Path.of("../docs/options.md");

    @Test
    void theDocumentedTableMirrorsTheOptionTable() throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(TABLE)) {
            if (line.startsWith("| `")) {
                String[] cells = line.split("\\|");
                rows.add(new String[] {cells[1].trim().replace("`", ""), cells[3].trim().replace("`", "")});
            }
        }
        assertEquals(Arrays.stream(Option.values()).map(Option::key).toList(),
                rows.stream().map(row -> row[0]).toList(), TABLE + ": one row per option, in Option's order");
        for (int i = 0; i < rows.size(); i++) {
            Option option = Option.values()[i];
            assertTrue(rows.get(i)[1].startsWith(option.defaultValue()),
                    TABLE + ": " + option.key() + " is documented with default '" + rows.get(i)[1]
                            + "', the code's is '" + option.defaultValue() + "'");
        }
    }
}
