/** Between the public API and its implementations: the agent's worker backend and the single-process one. */
package io.jcluster.spi;
