package apps.cluster;

import io.jcluster.Cluster;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** One client's WebSocket in the {@link Chat} (public: Jetty calls it through method handles). */
public final class ChatMember extends Session.Listener.AbstractAutoDemanding {

    private final Chat chat;

    ChatMember(Chat chat) {
        this.chat = chat;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        super.onWebSocketOpen(session);
        session.sendText("welcome worker=" + Cluster.workerId() + " pid=" + ProcessHandle.current().pid(), Callback.NOOP);
        chat.joined(session);
    }

    /** A text from the client goes to every worker's clients (this one's included, the sender too). */
    @Override
    public void onWebSocketText(String text) {
        try {
            Cluster.publish(Chat.TOPIC, text);
        } catch (IllegalArgumentException e) { // over max-message: tell this client, the others never see it
            getSession().sendText("error " + e.getMessage(), Callback.NOOP);
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        chat.left(getSession());
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        chat.left(getSession());
    }
}
