package io.jcluster.agent.supervisor;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The field is read and written only while holding the named lock. Checked by a unit test (every mutable field of
 * the supervisor is volatile, of a concurrent type, or guarded), so that adding shared state without saying how
 * it is protected fails the build.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface GuardedBy {

    /** The lock: a field name ({@code "lock"}), or {@code "Class.field"} for a lock owned by another object. */
    String value();
}
