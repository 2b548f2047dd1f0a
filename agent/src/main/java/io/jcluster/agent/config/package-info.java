/**
 * The options: one table ({@link io.jcluster.agent.config.Option}, which docs/options.md mirrors), pure parsing into
 * {@link io.jcluster.agent.config.Options} grouped by who needs them, and the checks against the machine (files,
 * processors, OS, host names) kept apart behind {@link io.jcluster.agent.config.Machine}. Depends on nothing else of
 * the agent: options exist before anything else does.
 */
package io.jcluster.agent.config;
