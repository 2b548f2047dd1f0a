package io.jcluster.agent.http.wire;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A line's kind and its dropped mark share one byte: neither may change the other, and a reset clears both. */
class HeaderLinesTest {

    @Test
    void droppingALineKeepsItsKindAndAResetForgetsTheMark() {
        for (Field field : MessageHead.class.getFields()) {
            if (field.getType() != byte.class || !Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            byte kind = (byte) getByte(field);
            HeaderLines lines = new HeaderLines();
            lines.add(0, 1, 2, 3, 4, MessageHead.OTHER);
            lines.add(4, 5, 6, 7, 8, kind);
            lines.drop(1);
            assertEquals(kind, lines.kind(1), field.getName());
            assertTrue(lines.dropped(1), field.getName());
            assertFalse(lines.dropped(0), field.getName());
            assertEquals(kind == MessageHead.OTHER ? 0 : 1, lines.first(kind), field.getName());
            lines.reset();
            lines.add(0, 1, 2, 3, 4, kind);
            lines.add(4, 5, 6, 7, 8, kind);
            assertFalse(lines.dropped(0) || lines.dropped(1), "a reused line starts undropped: " + field.getName());
        }
    }

    @Test
    void marksSurviveTheArraysGrowing() {
        HeaderLines lines = new HeaderLines();
        for (int i = 0; i < 100; i++) {
            lines.add(i, i, i, i, i, MessageHead.HOST);
            if (i % 3 == 0) {
                lines.drop(i);
            }
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(i % 3 == 0, lines.dropped(i), "line " + i);
            assertEquals(MessageHead.HOST, lines.kind(i));
        }
    }

    private static int getByte(Field field) {
        try {
            return field.getByte(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
