package io.jcluster.agent.control;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** {@link ClusterFrame}s to bytes and back, as the interface's comment lays them out. */
final class ClusterFrameCodec {

    private ClusterFrameCodec() {
    }

    /** The frame's body: type byte and fields. */
    static byte[] encode(ClusterFrame frame) {
        Writer out = new Writer(frame.type());
        if (frame instanceof ClusterFrame.Subscribe f) {
            out.putLong(f.id()).putString(f.topic());
        } else if (frame instanceof ClusterFrame.Unsubscribe f) {
            out.putLong(f.id()).putString(f.topic());
        } else if (frame instanceof ClusterFrame.Publish f) {
            out.putString(f.topic()).putBytes(f.message());
        } else if (frame instanceof ClusterFrame.MapGet f) {
            out.putLong(f.id()).putString(f.map()).putString(f.key());
        } else if (frame instanceof ClusterFrame.MapPut f) {
            out.putLong(f.id()).putString(f.map()).putString(f.key()).putBytes(f.value())
                .putLong(f.ttlMillis());
        } else if (frame instanceof ClusterFrame.MapPutIfAbsent f) {
            out.putLong(f.id()).putString(f.map()).putString(f.key()).putBytes(f.value())
                .putLong(f.ttlMillis());
        } else if (frame instanceof ClusterFrame.MapRemove f) {
            out.putLong(f.id()).putString(f.map()).putString(f.key());
        } else if (frame instanceof ClusterFrame.MapCompareAndSet f) {
            out.putLong(f.id()).putString(f.map()).putString(f.key())
                .putBytes(f.expected()).putBytes(f.update());
        } else if (frame instanceof ClusterFrame.MapIncrement f) {
            out.putLong(f.id()).putString(f.map()).putString(f.key()).putLong(f.delta());
        } else if (frame instanceof ClusterFrame.LeadershipReleased f) {
            out.putLong(f.epoch());
        } else if (frame instanceof ClusterFrame.WorkerStats f) {
            out.putInt(f.offloadThreads()).putInt(f.offloadBusy()).putInt(f.offloadQueued())
                .putLong(f.offloadRejected()).putLong(f.delivered()).putLong(f.droppedInWorker());
            ClusterFrame.SessionCounts sessions = f.sessions();
            out.putLong(sessions.reads()).putLong(sessions.readBytes()).putLong(sessions.writes())
                .putLong(sessions.writeBytes()).putLong(sessions.removes()).putLong(sessions.keptLocal())
                .putLong(sessions.storeFailures());
        } else if (frame instanceof ClusterFrame.ValueReply f) {
            out.putLong(f.id()).putBytes(f.value());
        } else if (frame instanceof ClusterFrame.BooleanReply f) {
            out.putLong(f.id()).putBoolean(f.value());
        } else if (frame instanceof ClusterFrame.LongReply f) {
            out.putLong(f.id()).putLong(f.value());
        } else if (frame instanceof ClusterFrame.DoneReply f) {
            out.putLong(f.id());
        } else if (frame instanceof ClusterFrame.ErrorReply f) {
            out.putLong(f.id()).putString(f.message());
        } else if (frame instanceof ClusterFrame.Message f) {
            out.putString(f.topic()).putBytes(f.message()).putInt(f.fromWorker());
        } else if (frame instanceof ClusterFrame.Leadership f) {
            out.putLong(f.epoch()).putBoolean(f.granted());
        } else if (frame instanceof ClusterFrame.Workers f) {
            out.putInt(f.count());
        } else {
            throw new IllegalArgumentException("no encoding for " + frame);
        }
        return out.toByteArray();
    }

    /** Parses one frame body; anything but a whole, well-formed frame is a {@link ControlMessage.MalformedMessage}. */
    static ClusterFrame decode(byte[] body) throws ControlMessage.MalformedMessage {
        if (body.length == 0) {
            throw new ControlMessage.MalformedMessage("empty cluster frame");
        }
        Reader in = new Reader(ByteBuffer.wrap(body, 1, body.length - 1));
        ClusterFrame frame;
        try {
            frame = switch (body[0]) {
                case 1 -> new ClusterFrame.Subscribe(in.getLong(), in.getString());
                case 2 -> new ClusterFrame.Unsubscribe(in.getLong(), in.getString());
                case 3 -> new ClusterFrame.Publish(in.getString(), in.getBytes());
                case 10 -> new ClusterFrame.MapGet(in.getLong(), in.getString(), in.getString());
                case 11 -> new ClusterFrame.MapPut(in.getLong(), in.getString(), in.getString(), in.getBytes(), in.getLong());
                case 12 -> new ClusterFrame.MapPutIfAbsent(in.getLong(), in.getString(), in.getString(), in.getBytes(), in.getLong());
                case 13 -> new ClusterFrame.MapRemove(in.getLong(), in.getString(), in.getString());
                case 14 -> new ClusterFrame.MapCompareAndSet(in.getLong(), in.getString(), in.getString(), in.getBytes(),
                        in.getBytes());
                case 15 -> new ClusterFrame.MapIncrement(in.getLong(), in.getString(), in.getString(), in.getLong());
                case 20 -> new ClusterFrame.LeadershipReleased(in.getLong());
                case 21 -> new ClusterFrame.WorkerStats(in.getInt(), in.getInt(), in.getInt(), in.getLong(), in.getLong(),
                        in.getLong(), new ClusterFrame.SessionCounts(in.getLong(), in.getLong(), in.getLong(),
                        in.getLong(), in.getLong(), in.getLong(), in.getLong()));
                case 100 -> new ClusterFrame.ValueReply(in.getLong(), in.getBytes());
                case 101 -> new ClusterFrame.BooleanReply(in.getLong(), in.getBoolean());
                case 102 -> new ClusterFrame.LongReply(in.getLong(), in.getLong());
                case 103 -> new ClusterFrame.DoneReply(in.getLong());
                case 104 -> new ClusterFrame.ErrorReply(in.getLong(), in.getString());
                case 110 -> new ClusterFrame.Message(in.getString(), in.getBytes(), in.getInt());
                case 111 -> new ClusterFrame.Leadership(in.getLong(), in.getBoolean());
                case 112 -> new ClusterFrame.Workers(in.getInt());
                default -> throw new ControlMessage.MalformedMessage("unknown cluster frame type " + body[0]);
            };
        } catch (BufferUnderflowException e) {
            throw new ControlMessage.MalformedMessage("cluster frame type " + body[0] + " is cut short");
        }
        if (in.buffer.hasRemaining()) {
            throw new ControlMessage.MalformedMessage("cluster frame type " + body[0] + " has "
                    + in.buffer.remaining() + " bytes too many");
        }
        return frame;
    }

    static final class Writer {
        private ByteBuffer buffer = ByteBuffer.allocate(64);

        Writer(byte type) {
            buffer.put(type);
        }

        private Writer ensure(int bytes) {
            if (buffer.remaining() < bytes) {
                ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes));
                buffer.flip();
                larger.put(buffer);
                buffer = larger;
            }
            return this;
        }

        Writer putLong(long value) {
            ensure(8).buffer.putLong(value);
            return this;
        }

        Writer putInt(int value) {
            ensure(4).buffer.putInt(value);
            return this;
        }

        Writer putBoolean(boolean value) {
            ensure(1).buffer.put((byte) (value ? 1 : 0));
            return this;
        }

        Writer putString(String value) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            if (utf8.length > 0xFFFF) {
                throw new IllegalArgumentException("a string of " + utf8.length + " bytes does not fit a frame");
            }
            ensure(2 + utf8.length).buffer.putShort((short) utf8.length).put(utf8);
            return this;
        }

        Writer putBytes(byte[] value) {
            if (value == null) {
                return putInt(-1);
            }
            ensure(4 + value.length).buffer.putInt(value.length).put(value);
            return this;
        }

        byte[] toByteArray() {
            byte[] bytes = new byte[buffer.position()];
            buffer.flip().get(bytes);
            return bytes;
        }
    }

    static final class Reader {
        private final ByteBuffer buffer;

        Reader(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        long getLong() {
            return buffer.getLong();
        }

        int getInt() {
            return buffer.getInt();
        }

        boolean getBoolean() throws ControlMessage.MalformedMessage {
            byte value = buffer.get();
            if (value != 0 && value != 1) {
                throw new ControlMessage.MalformedMessage("not a boolean: " + value);
            }
            return value == 1;
        }

        String getString() throws ControlMessage.MalformedMessage {
            int length = Short.toUnsignedInt(buffer.getShort());
            if (length > buffer.remaining()) {
                throw new BufferUnderflowException();
            }
            ByteBuffer utf8 = buffer.slice(buffer.position(), length);
            buffer.position(buffer.position() + length);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(utf8).toString();
            } catch (CharacterCodingException e) {
                throw new ControlMessage.MalformedMessage("a string that is not UTF-8");
            }
        }

        byte[] getBytes() throws ControlMessage.MalformedMessage {
            int length = buffer.getInt();
            if (length == -1) {
                return null;
            }
            if (length < 0 || length > buffer.remaining()) {
                throw new ControlMessage.MalformedMessage("a byte field of length " + length + " with "
                        + buffer.remaining() + " bytes left");
            }
            byte[] bytes = new byte[length];
            buffer.get(bytes);
            return bytes;
        }
    }
}
