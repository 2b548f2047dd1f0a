/**
 * The public API an app may compile against ({@link io.jcluster.Cluster}): dependency-free, and it works without the
 * agent as a single process.
 */
package io.jcluster;
