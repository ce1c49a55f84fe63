import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/** Starts an in-memory MongoDB wire-protocol server on 127.0.0.1:PORT and prints "READY PORT". */
public class MongoLauncher {
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        MongoServer server = new MongoServer(new MemoryBackend().version(ServerVersion.MONGO_5_0));
        server.bind("127.0.0.1", port);
        System.out.println("READY " + server.getLocalAddress().getPort());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        // Exit when the parent closes our stdin (the test run ended or crashed).
        while (System.in.read() != -1) { }
        server.shutdownNow();
        System.exit(0);
    }
}
