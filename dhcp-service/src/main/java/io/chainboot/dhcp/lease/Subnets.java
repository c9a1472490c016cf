package io.chainboot.dhcp.lease;

import io.chainboot.events.Ipv4Address;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The full-mode pools: the local one (the boot LAN the server is on) and one per relayed subnet.
 * {@link #choose} is the RFC 2131 rule for "which network is this client on" — a pure decision:
 * <ol>
 *   <li>giaddr set (a relay agent, §4.3.1): the pool whose subnet holds giaddr, the relay's address
 *   on the client's network; none → the request is not for us;</li>
 *   <li>no giaddr but ciaddr set (RENEWING/REBINDING unicast, INFORM, RELEASE, which a relayed client
 *   sends straight to the server, §4.3.2/§4.4.5): the pool whose subnet holds ciaddr, else the local one
 *   (whose rules then answer "another network");</li>
 *   <li>otherwise (a broadcast heard directly): the local pool.</li>
 * </ol>
 * Java cannot tell on which interface a broadcast arrived, so the local pool stands for every
 * directly attached client; relayed subnets are told apart by giaddr only.
 */
public final class Subnets {
    private final Pool local;
    private final List<Pool> relayed;
    private final Optional<Pool> localChoice;

    public Subnets(Pool local, List<Pool> relayed) {
        this.local = local;
        this.relayed = List.copyOf(relayed);
        this.localChoice = Optional.of(local);
        List<Pool> all = all();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                if (all.get(i).overlaps(all.get(j))) {
                    throw new IllegalArgumentException("pools " + all.get(i).describe() + " and " + all.get(j).describe()
                            + " are on the same subnet");
                }
            }
        }
    }

    public Pool local() {
        return local;
    }

    public List<Pool> relayed() {
        return relayed;
    }

    /** The local pool first, then the relayed ones in configuration order. */
    public List<Pool> all() {
        List<Pool> all = new ArrayList<>();
        all.add(local);
        all.addAll(relayed);
        return all;
    }

    /** The pool for a request with this giaddr and ciaddr, or empty (a relay on a subnet we do not serve). */
    public Optional<Pool> choose(Ipv4Address giaddr, Ipv4Address ciaddr) {
        if (!giaddr.isAny()) {
            return all().stream().filter(p -> p.inSubnet(giaddr)).findFirst();
        }
        if (!ciaddr.isAny()) {
            for (Pool p : relayed) {
                if (p.inSubnet(ciaddr)) {
                    return Optional.of(p);
                }
            }
        }
        return localChoice; // the common case (a broadcast heard directly): no allocation
    }
}
