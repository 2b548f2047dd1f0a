/**
 * The agent's one entry point the JVM calls: {@link io.jcluster.agent.Premain} decides whether this JVM is the
 * parent or a worker and hands over to {@code parent} or {@code worker}. Nothing else lives at the root: every
 * concern has a package of its own, named for it.
 */
package io.jcluster.agent;
