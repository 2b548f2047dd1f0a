/**
 * The parent's log lines: one {@code [jcluster]} prefix, one place that writes them.
 */
package io.jcluster.agent.log;
