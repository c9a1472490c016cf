/*
 * fastget: a minimal TFTP read client (RFC 1350, options RFC 2347/2348/7440) used ONLY by
 * bench/tftp/bench.py to measure a server's own ceiling: it costs the client as little as possible
 * per packet (recvmmsg batches of up to 64 datagrams on a connected socket, no per-packet select,
 * payload discarded unless an output file is named), so the server, not the client, is the limit.
 * It is not a real-world client; the bench reports it beside atftp and curl.
 *
 *   fastget HOST PORT FILE BLKSIZE WINDOWSIZE [OUT]
 *
 * With FASTGET_SPIN=1 in the environment it never sleeps: it polls the socket (recvmmsg with
 * MSG_DONTWAIT) instead of blocking, so the server's sends never have to wake it up.
 *
 * Asks for blksize (when != 512) and windowsize (when > 1); uses what the OACK grants (a server
 * without windowsize support, e.g. tftpd-hpa, is driven lock-step). ACKs the last in-order block
 * after every window (RFC 7440 §4), at once when a block arrives out of order, and again on a 1 s
 * silence. Prints "bytes seconds MiB/s blksize windowsize" on success, exit status 1 on failure.
 *
 * Build: gcc -O2 -o fastget fastget.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAXPKT 65536

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void ack(int s, unsigned block) {
    unsigned char a[4] = {0, 4, (block >> 8) & 0xff, block & 0xff};
    if (send(s, a, 4, 0) < 0) {
        perror("send ACK");
    }
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: fastget HOST PORT FILE BLKSIZE WINDOWSIZE [OUT]\n");
        return 2;
    }
    int blksize = atoi(argv[4]), wanted_window = atoi(argv[5]);
    int out = -1;
    if (argc > 6 && (out = open(argv[6], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
        perror("open");
        return 1;
    }
    struct sockaddr_in srv = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &srv.sin_addr) != 1) {
        fprintf(stderr, "bad address\n");
        return 2;
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    int rcvbuf = 8 << 20;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct timeval tv = {1, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    char rrq[512];
    int n = 2;
    rrq[0] = 0;
    rrq[1] = 1;
    n += sprintf(rrq + n, "%s", argv[3]) + 1;
    n += sprintf(rrq + n, "octet") + 1;
    if (blksize != 512) {
        n += sprintf(rrq + n, "blksize") + 1;
        n += sprintf(rrq + n, "%d", blksize) + 1;
    }
    if (wanted_window > 1) {
        n += sprintf(rrq + n, "windowsize") + 1;
        n += sprintf(rrq + n, "%d", wanted_window) + 1;
    }
    double t0 = now();
    if (sendto(s, rrq, n, 0, (struct sockaddr *) &srv, sizeof srv) < 0) {
        perror("sendto RRQ");
        return 1;
    }

    static unsigned char bufs[BATCH][MAXPKT + 4];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    int len = recvfrom(s, bufs[0], MAXPKT + 4, 0, (struct sockaddr *) &from, &fl);
    if (len < 4) {
        fprintf(stderr, "no answer: %s\n", len < 0 ? strerror(errno) : "short packet");
        return 1;
    }
    connect(s, (struct sockaddr *) &from, sizeof from); /* the server's TID from now on */
    int bs = 512, window = 1;
    unsigned last = 0;                  /* last in-order block (16-bit) */
    long long bytes = 0, acks = 0, outoforder = 0;
    int inwin = 0, done = 0, pending = 0;
    int op = bufs[0][1];
    if (op == 6) { /* OACK */
        unsigned char *p = bufs[0] + 2, *end = bufs[0] + len;
        while (p < end) {
            char *name = (char *) p;
            p += strnlen(name, end - p) + 1;
            if (p >= end) break;
            char *val = (char *) p;
            p += strnlen(val, end - p) + 1;
            if (!strcasecmp(name, "blksize")) bs = atoi(val);
            if (!strcasecmp(name, "windowsize")) window = atoi(val);
        }
        ack(s, 0);
    } else if (op == 3) {
        pending = 1; /* a DATA block 1 without options: process it in the loop */
    } else {
        fprintf(stderr, "server answered opcode %d: %s\n", op, op == 5 ? (char *) bufs[0] + 4 : "");
        return 1;
    }
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = MAXPKT + 4;
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int timeouts = 0;
    const char *spinenv = getenv("FASTGET_SPIN");
    int spin = spinenv != NULL && spinenv[0] == '1';
    double silent_since = 0;
    while (!done) {
        int got;
        if (pending) {
            msgs[0].msg_len = len;
            got = 1;
            pending = 0;
        } else {
            got = recvmmsg(s, msgs, BATCH, spin ? MSG_DONTWAIT : MSG_WAITFORONE, NULL);
            if (spin) {
                if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                    double t = now();
                    if (silent_since == 0) {
                        silent_since = t;
                    }
                    if (t - silent_since < 1.0) {
                        continue; /* keep polling; a 1 s silence counts as a timeout below */
                    }
                }
                silent_since = 0;
            }
        }
        if (got < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (++timeouts > 5) {
                    fprintf(stderr, "timed out at block %u\n", last);
                    return 1;
                }
                ack(s, last); /* the server may have lost our ACK */
                acks++;
                inwin = 0;
                continue;
            }
            perror("recvmmsg");
            return 1;
        }
        timeouts = 0;
        for (int i = 0; i < got && !done; i++) {
            unsigned char *b = bufs[i];
            int l = msgs[i].msg_len;
            if (l < 4) continue;
            if (b[1] == 5) {
                fprintf(stderr, "ERROR %d: %.*s\n", b[3], l - 4, b + 4);
                return 1;
            }
            if (b[1] != 3) continue;
            unsigned block = (b[2] << 8) | b[3];
            if (block != ((last + 1) & 0xffff)) {
                /* a gap (lost block) or a resent old one: ACK what we have, once per window position */
                if (inwin != -1) {
                    ack(s, last);
                    acks++;
                    outoforder++;
                    inwin = -1;
                }
                continue;
            }
            last = block;
            int payload = l - 4;
            bytes += payload;
            if (out >= 0 && write(out, b + 4, payload) != payload) {
                perror("write");
                return 1;
            }
            if (inwin < 0) inwin = 0;
            if (payload < bs) {
                ack(s, last);
                acks++;
                done = 1;
            } else if (++inwin >= window) {
                ack(s, last);
                acks++;
                inwin = 0;
            }
        }
    }
    double dt = now() - t0;
    if (out >= 0) close(out);
    printf("%lld %.4f %.1f %d %d acks=%lld out-of-order=%lld\n", bytes, dt, bytes / dt / 1048576.0, bs, window, acks, outoforder);
    return 0;
}
