//! Noticing a client that went away while its plan runs, so that the plan stops.
//!
//! Over HTTP/1.1 the server does not read a connection while it works on the request
//! (it would only find the next pipelined request, or the end of the stream), so a
//! client that closed is only found out when the answer is written: seconds of solver
//! time later. Each connection therefore keeps a second handle on its socket
//! ([`on_connect`]), and a handler that starts costly work races it against
//! [`gone`], which looks every [`CHECK_EVERY`] whether the peer has closed its side
//! (a read would see the end of the stream). Dropping the work's future raises its
//! cancel flag (see `solver_pool`) and the solver stops within its next check.
//!
//! A client that half-closes its side and still waits for the answer would be taken
//! for gone; browsers and HTTP clients do not do that, and a load balancer closes its
//! connection to the service when its client goes away.

use std::any::Any;
use std::net::TcpStream;
use std::os::fd::AsFd;
use std::time::Duration;

use actix_web::dev::Extensions;
use actix_web::HttpRequest;

/// How often [`gone`] looks at the socket.
pub const CHECK_EVERY: Duration = Duration::from_millis(10);

/// A second handle on a connection's socket (a duplicated descriptor), kept with the
/// connection's data for as long as the connection lives.
pub struct PeerSocket(TcpStream);

impl PeerSocket {
    /// Whether the peer has closed its side: a read would see the end of the stream,
    /// or the connection was reset.
    pub fn closed(&self) -> bool {
        let mut byte = [0u8; 1];
        match self.0.peek(&mut byte) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
            ),
        }
    }
}

/// The server's `on_connect` hook: keeps a second handle on a plain TCP connection's
/// socket. The descriptor is non-blocking already (the runtime's), so peeking never
/// waits.
pub fn on_connect(connection: &dyn Any, data: &mut Extensions) {
    let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() else {
        return;
    };
    match tcp.as_fd().try_clone_to_owned() {
        Ok(fd) => {
            data.insert(PeerSocket(TcpStream::from(fd)));
        }
        Err(e) => tracing::warn!(error = %e, "could not keep a handle on a connection"),
    }
}

/// Resolves when `req`'s client has closed its connection; never when the connection
/// has no handle kept (a test's in-process request).
pub async fn gone(req: &HttpRequest) {
    let Some(socket) = req.conn_data::<PeerSocket>() else {
        return std::future::pending().await;
    };
    let mut every = tokio::time::interval(CHECK_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if socket.closed() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    #[test]
    fn a_closed_peer_is_seen_and_an_open_one_is_not() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        server.set_nonblocking(true).unwrap();
        let socket = PeerSocket(server.try_clone().unwrap());
        assert!(!socket.closed(), "an idle open connection");
        client.write_all(b"GET / HTTP/1.1\r\n").unwrap();
        std::thread::sleep(Duration::from_millis(20));
        assert!(!socket.closed(), "a connection with data waiting");
        drop(client);
        std::thread::sleep(Duration::from_millis(20));
        // The unread bytes come first: a pipelined request before the close.
        let mut buf = [0u8; 64];
        let _ = std::io::Read::read(&mut &server, &mut buf);
        assert!(socket.closed(), "the peer closed");
    }
}
