/**
 * The jar's {@code Main-Class}: {@code java -jar jcluster.jar} prints the usage and dispatches to the standalone
 * balancer ({@code balance}) or to the admin commands ({@code status}, {@code reload}, {@code scale},
 * {@code restart}). Only parsing and talking to the admin endpoint; no cluster logic.
 */
package io.jcluster.agent.cli;
