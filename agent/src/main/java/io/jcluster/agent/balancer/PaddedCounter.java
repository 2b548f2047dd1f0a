package io.jcluster.agent.balancer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A long counter alone in its cache line (the JVM lays superclass fields first, so the padding classes fence it
 * on both sides). JCTools' PaddedAtomicLong does the same through sun.misc.Unsafe, which JDK 24+ warns about on
 * the console of every parent; a VarHandle gives the same atomics without the warning.
 */
final class PaddedCounter extends PaddedCounterValue {

    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(PaddedCounterValue.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    long p10, p11, p12, p13, p14, p15, p16, p17;

    void increment() {
        VALUE.getAndAdd(this, 1L);
    }

    void decrement() {
        VALUE.getAndAdd(this, -1L);
    }

    void add(long delta) {
        VALUE.getAndAdd(this, delta);
    }

    long get() {
        return value;
    }
}

abstract class PaddedCounterPad {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

abstract class PaddedCounterValue extends PaddedCounterPad {
    volatile long value;
}
