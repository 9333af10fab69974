#!/usr/bin/env python3
"""A reference peer written from PROTOCOL.md to behave like the original design.

It stands for the small Python peers p2pchat must talk to, so it keeps their
habits on purpose, weaknesses included:
- the server thread handles one connection at a time, with a single
  recv(1024), then closes it: a longer message is cut at byte 1024;
- it splits on whitespace into at most 3 parts and does not guard the parse:
  a first word that is not ip:port, a non-numeric port or bytes that are not
  UTF-8 kill its only server thread for good (the traceback goes to stderr);
- it sends one message per connection, one sendall, no trailing newline.

Standard library only. Usage: python3 -u seed_peer.py [ADVERTISED_IP]
The IP written into outgoing messages defaults to what the host name resolves
to, as the original did; tests pass 127.0.0.1. Port 0 binds any free port;
the bound port is printed in "Server listening on ip:port".
"""
import socket
import sys
import threading

MANDATORY_PEERS = []  # the original's fixed bootstrap list; empty here

peers = {}  # (ip, port) -> {"name": str, "connected": bool}
peers_lock = threading.Lock()


say_lock = threading.Lock()


def say(text):
    # One write per line, so lines from the server thread never split another.
    with say_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def handle_message(data):
    message = data.decode("utf-8")
    parts = message.split(None, 2)
    if len(parts) < 3:
        return
    ip, port = parts[0].split(":")
    key = (ip, int(port))
    name, body = parts[1], parts[2].strip()
    word = body.lower()
    with peers_lock:
        if word == "exit":
            if peers.pop(key, None) is not None:
                say(f"Peer {ip}:{port} ({name}) disconnected")
            return
        entry = peers.setdefault(key, {"name": name, "connected": False})
        entry["name"] = name
        if word == "connect":
            entry["connected"] = True
            say(f"Connected to peer {ip}:{port} ({name})")
        elif word == "hello":
            say(f"Hello from {ip}:{port} ({name})")
        else:
            say(f"{ip}:{port} {name} {body}")


def serve(server):
    while True:
        conn, _ = server.accept()
        try:
            data = conn.recv(1024)
        finally:
            conn.close()
        if data:
            handle_message(data)


def send(my_ip, my_port, name, ip, port, text):
    line = f"{my_ip}:{my_port} {name} {text}"
    try:
        with socket.create_connection((ip, port), timeout=5) as s:
            s.sendall(line.encode("utf-8"))
    except OSError as error:
        say(f"Failed to send to {ip}:{port}: {error}")
        return False
    say(f"Sent to {ip}:{port}: {line}")
    return True


def show_peers():
    with peers_lock:
        items = sorted(peers.items())
    if not items:
        say("No active peers")
        return
    say("Active peers:")
    for (ip, port), entry in items:
        state = " (connected)" if entry["connected"] else ""
        say(f"{ip}:{port} {entry['name']}{state}")
    say("End of peers")


def advertised_ip():
    if len(sys.argv) > 1:
        return sys.argv[1]
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def main():
    name = input("Enter your name: ").strip()
    port = int(input("Enter your port number: ").strip())
    my_ip = advertised_ip()

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", port))
    server.listen(5)
    my_port = server.getsockname()[1]
    say(f"Server listening on {my_ip}:{my_port}")
    threading.Thread(target=serve, args=(server,), daemon=True).start()

    for ip, peer_port in MANDATORY_PEERS:
        if send(my_ip, my_port, name, ip, peer_port, "hello"):
            with peers_lock:
                peers.setdefault((ip, peer_port), {"name": "", "connected": False})

    while True:
        say("\n***** Menu *****\n1. Send message\n2. Query active peers\n3. Connect to active peers\n0. Quit")
        try:
            choice = input("Enter choice: ").strip()
            if choice == "1":
                ip = input("Enter the recipient's IP address: ").strip()
                peer_port = int(input("Enter the recipient's port number: ").strip())
                text = input("Enter your message: ")
                if send(my_ip, my_port, name, ip, peer_port, text):
                    with peers_lock:
                        peers.setdefault((ip, peer_port), {"name": "", "connected": False})
            elif choice == "2":
                show_peers()
            elif choice == "3":
                show_peers()
                ip = input("Enter the recipient's IP address: ").strip()
                peer_port = int(input("Enter the recipient's port number: ").strip())
                if send(my_ip, my_port, name, ip, peer_port, "connect"):
                    with peers_lock:
                        entry = peers.setdefault((ip, peer_port), {"name": "", "connected": False})
                        entry["connected"] = True
            elif choice == "0":
                break
            else:
                say("Invalid choice")
        except EOFError:
            # Not in the original (it died with a traceback); quitting is kinder to tests.
            break
        except ValueError:
            say("Invalid port number")

    with peers_lock:
        targets = list(peers)
    for ip, peer_port in targets:
        send(my_ip, my_port, name, ip, peer_port, "exit")
    say("Exiting")
    server.close()


if __name__ == "__main__":
    main()
