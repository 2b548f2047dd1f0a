/**
 * What runs inside a worker JVM, next to the app: the bind advice that moves clustered binds to private ports (or
 * shares them, balancer=kernel), the accept advice that shows the app its real clients, reports to the parent and the
 * parent-death watchdog. Never Netty and as little agent code as possible: the app may bring its own libraries.
 */
package io.jcluster.agent.worker;
