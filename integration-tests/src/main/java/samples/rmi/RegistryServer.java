package samples.rmi;

import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;

import samples.hello.HelloServer;

/**
 * An app that exports an RMI registry on a fixed port next to its HTTP server:
 * {@code RegistryServer HTTP_PORT RMI_PORT}. An RMI port belongs to each process, never to a cluster.
 */
public final class RegistryServer {

    private RegistryServer() {
    }

    public static void main(String[] args) throws Exception {
        int rmiPort = Integer.parseInt(args[1]);
        Registry registry = LocateRegistry.createRegistry(rmiPort);
        System.out.println("rmi registry on port " + rmiPort + " (" + registry + ")");
        HelloServer.main(new String[] {args[0]});
    }
}
