package io.chainboot.dhcp.server;

import io.chainboot.common.MachineDirectory;
import io.chainboot.dhcp.boot.BootChoice;
import io.chainboot.dhcp.boot.BootTable;
import io.chainboot.dhcp.boot.ClientInfo;
import io.chainboot.dhcp.codec.DhcpCodec;
import io.chainboot.dhcp.codec.DhcpOptions;
import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.dhcp.codec.MessageType;
import io.chainboot.dhcp.codec.OptionCode;
import io.chainboot.dhcp.codec.SubOptions;
import io.chainboot.dhcp.ha.HaGate;
import io.chainboot.dhcp.lease.Allocation;
import io.chainboot.dhcp.lease.LeaseEntry;
import io.chainboot.dhcp.lease.LeaseTable;
import io.chainboot.dhcp.lease.Pool;
import io.chainboot.dhcp.lease.Subnets;
import io.chainboot.events.BootEvent;
import io.chainboot.events.ClientKind;
import io.chainboot.events.DhcpEvents;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The DHCP decision: one method, {@link #replyTo}, from a decoded request to a typed {@link Reply}.
 * Full mode follows the server side of RFC 2131 §4.3; proxy mode the proxyDHCP server of the PXE
 * specification 2.1 §2.2.5 (boot information only, yiaddr 0, never an address). No I/O here.
 */
public final class DhcpResponder {
    private final DhcpSettings settings;
    private final List<LeaseTable> tables;
    private final Optional<Subnets> subnets;
    private final MachineDirectory machines;
    private final EventSource source;
    private final BootTable bootTable;
    /** HA (docs/dhcp-ha.md rules 2 and 3); empty for a single instance. */
    private final Optional<HaGate> ha;

    /** One subnet (or proxy mode: no table). */
    public DhcpResponder(DhcpSettings settings, Optional<LeaseTable> leases, MachineDirectory machines,
                         EventSource source) {
        this(settings, leases.map(List::of).orElse(List.of()), machines, source);
    }

    /** Full mode: {@code tables} holds the local pool's table first, then one per relayed subnet. */
    public DhcpResponder(DhcpSettings settings, List<LeaseTable> tables, MachineDirectory machines, EventSource source) {
        this(settings, tables, machines, source, Optional.empty());
    }

    /** Full mode, one of several instances sharing the pools ({@code ha}: which requests are ours). */
    public DhcpResponder(DhcpSettings settings, List<LeaseTable> tables, MachineDirectory machines, EventSource source,
                         Optional<HaGate> ha) {
        this.ha = ha;
        this.settings = settings;
        this.tables = List.copyOf(tables);
        this.machines = machines;
        this.source = source;
        this.bootTable = new BootTable(settings.boot());
        if (settings.mode() == Mode.FULL && tables.isEmpty()) {
            throw new IllegalArgumentException("full mode needs a lease table");
        }
        this.subnets = tables.isEmpty() ? Optional.empty() : Optional.of(new Subnets(tables.get(0).pool(),
                tables.subList(1, tables.size()).stream().map(LeaseTable::pool).toList()));
    }

    public Reply replyTo(DhcpPacket req, Ingress ingress, Instant now) {
        if (req.op() != DhcpPacket.BOOTREQUEST) {
            return Reply.Silent.because("not a BOOTREQUEST");
        }
        Optional<MacAddress> mac = req.mac();
        if (mac.isEmpty()) {
            return Reply.Silent.because("not an Ethernet hardware address (htype " + req.htype() + ", hlen " + req.hlen() + ")");
        }
        Optional<MessageType> type = req.messageType();
        if (type.isEmpty()) {
            return Reply.Silent.because("no DHCP message type (option 53): BOOTP is not served");
        }
        return settings.mode() == Mode.PROXY ? proxy(req, type.get(), mac.get(), ingress, now)
                : full(req, type.get(), mac.get(), ingress, now);
    }

    // ---------------------------------------------------------------- proxyDHCP

    private Reply proxy(DhcpPacket req, MessageType type, MacAddress mac, Ingress ingress, Instant now) {
        ClientInfo client = ClientInfo.of(req);
        if (!client.isBootClient()) {
            return Reply.Silent.because("proxy mode answers only PXE/HTTP boot clients (option 60)");
        }
        MessageType answer;
        if (!ingress.proxyPort() && type == MessageType.DISCOVER) {
            answer = MessageType.OFFER;
        } else if (ingress.proxyPort() && (type == MessageType.REQUEST || type == MessageType.INFORM)) {
            answer = MessageType.ACK;
        } else {
            return Reply.Silent.because("proxy mode: " + type + " on port " + (ingress.proxyPort() ? settings.proxyPort() : settings.port())
                    + " is for the address server");
        }
        Optional<MachineSpec> spec = machines.byMac(mac);
        BootChoice choice = bootTable.choose(client, spec);
        if (!(choice instanceof BootChoice.Boot boot)) {
            return Reply.Silent.because(((BootChoice.None) choice).reason());
        }
        DhcpOptions.Builder o = DhcpOptions.builder()
                .u8(OptionCode.MESSAGE_TYPE, answer.code())
                .ip(OptionCode.SERVER_ID, settings.serverAddress());
        bootOptions(o, req, client, boot, false);
        Ipv4Address ciaddr = answer == MessageType.ACK ? req.ciaddr() : Ipv4Address.ANY;
        // siaddr = us when the boot file is a URL: iPXE before 2020 takes a proxy offer/ACK only if it has
        // siaddr and a boot file (dhcp_has_pxeopts) and otherwise ignores it ("Nothing to boot")
        Ipv4Address siaddr = nextServer(boot).isAny() ? settings.serverAddress() : nextServer(boot);
        DhcpPacket reply = DhcpPacket.replyTo(req, ciaddr, Ipv4Address.ANY, siaddr, "",
                headerFile(boot), o.build());
        BootEvent ev = answer == MessageType.OFFER
                ? new DhcpEvents.Offered(EventIds.next(), now, source, mac, null, client.kind(), client.arch().orElse(null),
                client.vendorClass().orElse(null), client.uuid().orElse(null), boot.file(), Mode.PROXY.wire(), 0)
                : new DhcpEvents.Acked(EventIds.next(), now, source, mac, req.ciaddr().isAny() ? null : req.ciaddr(),
                client.kind(), client.arch().orElse(null), client.vendorClass().orElse(null), client.uuid().orElse(null),
                boot.file(), Mode.PROXY.wire(), 0, spec.map(MachineSpec::hostname).orElse(null));
        return new Reply.Send(reply, Destination.of(req, answer, ingress, settings.port(), settings.clientPort()),
                maxLength(req), List.of(ev), List.of());
    }

    // ---------------------------------------------------------------- full DHCP

    private Reply full(DhcpPacket req, MessageType type, MacAddress mac, Ingress ingress, Instant now) {
        if (ingress.proxyPort()) {
            return Reply.Silent.because("full mode does not answer on the proxyDHCP port");
        }
        Optional<Pool> chosen = subnets.orElseThrow().choose(req.giaddr(), req.ciaddr());
        if (chosen.isEmpty()) {
            return Reply.Silent.because("relayed by " + req.giaddr() + ": no pool on that subnet (chainboot.dhcp.relay-pools)");
        }
        LeaseTable table = tableOf(chosen.get());
        Optional<MachineSpec> spec = machines.byMac(mac);
        Optional<Ipv4Address> reserved = spec.map(MachineSpec::reservedIp);
        switch (type) {
            case DISCOVER: {
                if (ha.isPresent() && ha.get().discover(mac, table.bindingOf(mac, now).map(LeaseEntry::ip), table.pool(), now)
                        instanceof HaGate.Verdict.Defer d) {
                    return Reply.Silent.because("HA: left to instance " + d.owner() + ": " + d.reason());
                }
                Optional<Ipv4Address> ip = table.offer(mac, reserved, req.requestedIp(), now, settings.offerHold());
                if (ip.isEmpty()) {
                    return Reply.Silent.because("pool exhausted");
                }
                return leaseReply(req, MessageType.OFFER, mac, ip.get(), spec, table.pool(), ingress, now, List.of(),
                        settings.leaseTime().toSeconds());
            }
            case REQUEST:
                return request(req, mac, spec, reserved, table, ingress, now);
            case DECLINE: {
                if (!ours(req)) {
                    return Reply.Silent.because("DECLINE for another server");
                }
                Optional<Ipv4Address> ip = req.requestedIp();
                if (ip.isEmpty()) {
                    return Reply.Silent.because("DECLINE without requested address (option 50)");
                }
                Optional<LeaseEntry> q = table.decline(mac, ip.get(), settings.declineQuarantine(), now);
                if (q.isEmpty()) {
                    return Reply.Silent.because("DECLINE of " + ip.get() + " which this client does not hold");
                }
                String why = req.options().string(OptionCode.MESSAGE).orElse("address in use");
                return new Reply.Silent("declined " + ip.get(), List.of(new DhcpEvents.Declined(EventIds.next(), now,
                        source, mac, ip.get(), why)), List.of(new Reply.LeaseChange.Remove(ip.get())));
            }
            case RELEASE: {
                if (!ours(req)) {
                    return Reply.Silent.because("RELEASE for another server");
                }
                Optional<LeaseEntry> ended = table.release(mac, req.ciaddr(), now);
                if (ended.isEmpty()) {
                    return Reply.Silent.because("RELEASE of " + req.ciaddr() + " which this client does not hold");
                }
                return new Reply.Silent("released " + req.ciaddr(), List.of(new DhcpEvents.Released(EventIds.next(), now,
                        source, mac, req.ciaddr())), List.of(new Reply.LeaseChange.Remove(req.ciaddr())));
            }
            case INFORM:
                return inform(req, mac, spec, table.pool(), ingress, now);
            default:
                return Reply.Silent.because(type + " is not a client message");
        }
    }

    /** The lease table of {@code pool} (a loop, not a stream: this runs for every request). */
    private LeaseTable tableOf(Pool pool) {
        for (LeaseTable t : tables) {
            if (t.pool() == pool || t.pool().equals(pool)) {
                return t;
            }
        }
        throw new IllegalStateException("no lease table for pool " + pool.describe());
    }

    /** RFC 2131 §4.3.2: the REQUEST's client state decides what is checked. */
    private Reply request(DhcpPacket req, MacAddress mac, Optional<MachineSpec> spec, Optional<Ipv4Address> reserved,
                          LeaseTable table, Ingress ingress, Instant now) {
        Pool pool = table.pool();
        Ipv4Address wanted;
        if (req.serverId().isPresent()) { // SELECTING
            if (!ours(req)) {
                table.cancelOffer(mac);
                return Reply.Silent.because("client selected server " + req.serverId().get());
            }
            if (req.requestedIp().isEmpty()) {
                return nak(req, mac, Ipv4Address.ANY, "SELECTING without requested address", ingress, now);
            }
            wanted = req.requestedIp().get();
        } else if (req.requestedIp().isPresent()) { // INIT-REBOOT
            wanted = req.requestedIp().get();
            if (!pool.inSubnet(wanted)) {
                return nak(req, mac, wanted, "address not on this network", ingress, now);
            }
        } else if (!req.ciaddr().isAny()) { // RENEWING or REBINDING
            wanted = req.ciaddr();
            if (!pool.inSubnet(wanted)) {
                return Reply.Silent.because("REBINDING for an address of another network");
            }
        } else {
            return Reply.Silent.because("REQUEST with neither server id, requested address nor ciaddr");
        }
        boolean reservedForMac = reserved.filter(wanted::equals).isPresent();
        if (reserved.isPresent() && !reservedForMac && pool.inSubnet(reserved.get())) {
            return nak(req, mac, wanted, "machine has reserved address " + reserved.get(), ingress, now);
        }
        boolean rebinding = req.serverId().isEmpty() && req.requestedIp().isEmpty();
        if (ha.isPresent() && ha.get().request(mac, wanted, reservedForMac, rebinding, table.entry(wanted), pool, now)
                instanceof HaGate.Verdict.Defer d) {
            return Reply.Silent.because("HA: left to instance " + d.owner() + ": " + d.reason());
        }
        Allocation a = table.commit(mac, wanted, reservedForMac, settings.leaseTime(),
                spec.map(MachineSpec::hostname).orElse(null), now);
        if (a instanceof Allocation.Refused r) {
            if (ha.isPresent() && !reservedForMac && ha.get().owner(pool, wanted) >= 0 && ha.get().owner(pool, wanted) != ha.get().me()) {
                return Reply.Silent.because("HA: " + r.reason()); // its owner answers, we do not contradict it
            }
            return nak(req, mac, wanted, r.reason(), ingress, now);
        }
        LeaseEntry bound = ((Allocation.Bound) a).entry();
        return leaseReply(req, MessageType.ACK, mac, wanted, spec, pool, ingress, now,
                List.of(new Reply.LeaseChange.Put(bound.toLease())),
                Duration.between(now, ((Allocation.Bound) a).grantedUntil()).toSeconds());
    }

    private Reply inform(DhcpPacket req, MacAddress mac, Optional<MachineSpec> spec, Pool pool, Ingress ingress,
                         Instant now) {
        ClientInfo client = ClientInfo.of(req);
        BootChoice choice = bootTable.choose(client, spec);
        DhcpOptions.Builder o = DhcpOptions.builder()
                .u8(OptionCode.MESSAGE_TYPE, MessageType.ACK.code())
                .ip(OptionCode.SERVER_ID, settings.serverAddress());
        networkOptions(o, pool);
        String file = "";
        Ipv4Address siaddr = Ipv4Address.ANY;
        if (choice instanceof BootChoice.Boot boot) {
            bootOptions(o, req, client, boot, true);
            file = headerFile(boot);
            siaddr = nextServer(boot);
        }
        // RFC 2131 §4.3.5: no lease time, yiaddr 0, reply to ciaddr
        DhcpPacket reply = DhcpPacket.replyTo(req, req.ciaddr(), Ipv4Address.ANY, siaddr, "", file, o.build());
        return new Reply.Send(reply, Destination.of(req, MessageType.ACK, ingress, settings.port(), settings.clientPort()),
                maxLength(req), List.of(), List.of());
    }

    private Reply leaseReply(DhcpPacket req, MessageType type, MacAddress mac, Ipv4Address ip, Optional<MachineSpec> spec,
                             Pool pool, Ingress ingress, Instant now, List<Reply.LeaseChange> changes, long lease) {
        ClientInfo client = ClientInfo.of(req);
        BootChoice choice = bootTable.choose(client, spec);
        DhcpOptions.Builder o = DhcpOptions.builder()
                .u8(OptionCode.MESSAGE_TYPE, type.code())
                .ip(OptionCode.SERVER_ID, settings.serverAddress())
                .u32(OptionCode.LEASE_TIME, lease)
                .u32(OptionCode.RENEWAL_TIME, lease / 2)
                .u32(OptionCode.REBINDING_TIME, lease * 7 / 8);
        networkOptions(o, pool);
        Optional<String> hostname = spec.map(MachineSpec::hostname);
        hostname.ifPresent(h -> o.string(OptionCode.HOSTNAME, h));
        String file = "";
        Ipv4Address siaddr = Ipv4Address.ANY;
        String bootFile = null;
        if (choice instanceof BootChoice.Boot boot) {
            bootOptions(o, req, client, boot, true);
            file = headerFile(boot);
            siaddr = nextServer(boot);
            bootFile = boot.file();
        }
        DhcpPacket reply = DhcpPacket.replyTo(req, type == MessageType.ACK ? req.ciaddr() : Ipv4Address.ANY, ip, siaddr,
                "", file, o.build());
        Integer arch = client.arch().orElse(null);
        String vc = client.vendorClass().orElse(null);
        String uuid = client.uuid().orElse(null);
        BootEvent ev = type == MessageType.OFFER
                ? new DhcpEvents.Offered(EventIds.next(), now, source, mac, ip, client.kind(), arch, vc, uuid, bootFile,
                Mode.FULL.wire(), lease)
                : new DhcpEvents.Acked(EventIds.next(), now, source, mac, ip, client.kind(), arch, vc, uuid, bootFile,
                Mode.FULL.wire(), lease, hostname.orElse(null));
        return new Reply.Send(reply, Destination.of(req, type, ingress, settings.port(), settings.clientPort()),
                maxLength(req), List.of(ev), changes);
    }

    private Reply nak(DhcpPacket req, MacAddress mac, Ipv4Address requested, String reason, Ingress ingress, Instant now) {
        DhcpOptions o = DhcpOptions.builder()
                .u8(OptionCode.MESSAGE_TYPE, MessageType.NAK.code())
                .ip(OptionCode.SERVER_ID, settings.serverAddress())
                .string(OptionCode.MESSAGE, reason)
                .build();
        DhcpPacket reply = DhcpPacket.replyTo(req, Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, "", "", o);
        return new Reply.Send(reply, Destination.of(req, MessageType.NAK, ingress, settings.port(), settings.clientPort()),
                DhcpCodec.DEFAULT_MAX_DHCP_LENGTH, List.of(new DhcpEvents.Nak(EventIds.next(), now, source, mac,
                req.ciaddr().isAny() ? null : req.ciaddr(), requested.isAny() ? null : requested, reason)), List.of());
    }

    private void networkOptions(DhcpOptions.Builder o, Pool pool) {
        o.ip(OptionCode.SUBNET_MASK, pool.subnetMask());
        pool.router().ifPresent(r -> o.ip(OptionCode.ROUTER, r));
        if (!pool.dns().isEmpty()) {
            o.ips(OptionCode.DNS, pool.dns());
        }
    }

    /**
     * Boot options: 60 PXEClient/HTTPClient (PXE 2.1 §2.2.5: a PXE client uses boot information only
     * from replies carrying it), 43 PXE discovery control = 8 (boot file in this reply, no boot server
     * discovery), 97 echoed (RFC 4578 §2.3), 66/67, and iPXE's 175: 176 no-pxedhcp (full mode: no proxy
     * in play, so iPXE need not wait for proxy offers) and 8 keep-san where configured.
     */
    private void bootOptions(DhcpOptions.Builder o, DhcpPacket req, ClientInfo client, BootChoice.Boot boot,
                             boolean fullMode) {
        if (boot.httpBoot()) {
            o.string(OptionCode.VENDOR_CLASS, "HTTPClient");
        } else if (client.kind() == ClientKind.FIRMWARE || client.vendorClass().filter(v -> v.startsWith("PXEClient")).isPresent()) {
            o.string(OptionCode.VENDOR_CLASS, "PXEClient");
            Map<Integer, byte[]> pxe = new LinkedHashMap<>();
            pxe.put(OptionCode.PXE_DISCOVERY_CONTROL, new byte[] {8});
            o.put(OptionCode.VENDOR_SPECIFIC, SubOptions.encode(pxe, true));
        }
        req.options().bytes(OptionCode.CLIENT_UUID).ifPresent(u -> o.put(OptionCode.CLIENT_UUID, u));
        if (boot.nextServer() != null) {
            o.string(OptionCode.TFTP_SERVER_NAME, boot.nextServer());
        }
        o.string(OptionCode.BOOTFILE_NAME, boot.file());
        if (client.kind() == ClientKind.IPXE) {
            Map<Integer, byte[]> ipxe = new LinkedHashMap<>();
            if (fullMode) {
                ipxe.put(OptionCode.IPXE_NO_PXEDHCP, new byte[] {1});
            }
            if (settings.ipxeKeepSan()) {
                ipxe.put(OptionCode.IPXE_KEEP_SAN, new byte[] {1});
            }
            if (!ipxe.isEmpty()) {
                o.put(OptionCode.IPXE_ENCAP, SubOptions.encode(ipxe, false));
            }
        }
    }

    /** The header {@code file} field holds at most 127 bytes; longer names go in option 67 only. */
    private static String headerFile(BootChoice.Boot boot) {
        return boot.file().length() <= 127 ? boot.file() : "";
    }

    private static Ipv4Address nextServer(BootChoice.Boot boot) {
        if (boot.nextServer() == null) {
            return Ipv4Address.ANY;
        }
        try {
            return Ipv4Address.parse(boot.nextServer());
        } catch (IllegalArgumentException e) {
            return Ipv4Address.ANY; // a host name: only in option 66
        }
    }

    private boolean ours(DhcpPacket req) {
        return req.serverId().map(settings.serverAddress()::equals).orElse(true);
    }

    /** Option 57 bounds the reply (minus IP and UDP headers), never below RFC 2131's 576-byte datagram. */
    private static int maxLength(DhcpPacket req) {
        return req.maxMessageSize().map(m -> Math.min(m, 1500) - 28).orElse(DhcpCodec.DEFAULT_MAX_DHCP_LENGTH);
    }
}
