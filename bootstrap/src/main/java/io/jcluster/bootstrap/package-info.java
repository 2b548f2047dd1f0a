/**
 * Classes the JDK's own code calls (they are appended to the boot class path): the bind and peer-address rewrites the
 * worker's advice reaches, the launcher redirect and the client-address table. Depends on nothing but {@code java.*}
 * (a test checks it).
 */
package io.jcluster.bootstrap;
