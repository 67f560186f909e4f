/**
 * `--help` texts of `netns-kit` and each of its commands.
 * @module
 */
import type { CommandName } from './args.js';

const GLOBAL = `Options (anywhere on the line):
  -n, --netns NAME   work in the named namespace (/run/netns/NAME) instead of this process's
  -j, --json         print JSON with the field names of \`ip -j\` / \`bridge -j\`
  -p, --pretty       indent the JSON
  -4, -6             only IPv4 / only IPv6 (addr, route, neigh, monitor)
  -h, --help         help (also: netns-kit COMMAND --help)
  -V, --version      print the version`;

const EXIT = `Exit status: 0 success; 1 the kernel or the system refused an operation;
2 bad input (unknown command, option, namespace or device; missing privileges).`;

/** `netns-kit --help`. */
export const MAIN_HELP = `Usage: netns-kit [OPTIONS] COMMAND [ARGS]

Linux networking over rtnetlink, without running ip, bridge or brctl (nothing is spawned).

Commands:
  demo                       build a Docker-style bridge network with two containers in
                             throwaway namespaces, show it, prove it with traffic, remove it
  link  [show] [dev] [NAME] [type KIND] [master BR]     like \`ip link show\`
  addr  [show] [dev] [NAME]                             like \`ip addr show\`
  route [show] [table T] [dev NAME]                     like \`ip route show\`
  neigh [show] [dev NAME]                               like \`ip neigh show\`
  fdb   [show] [br BR] [dev NAME]                       like \`bridge fdb show\`
  nft   [list] [ruleset | table FAMILY NAME]            like \`nft list ruleset\`
  netns [list]                                          like \`ip netns list\`
  monitor [link] [address] [route] [neigh] [--count N]  like \`ip monitor\`
  network ls | inspect NAME... | port NET C | gc        like \`docker network ls|inspect|prune\`, \`docker port\`

${GLOBAL}

Showing and monitoring the process's own namespace needs no privileges (like ip);
-n NAME (entering another namespace) needs CAP_SYS_ADMIN; demo needs root.
${EXIT}`;

const HELP: Record<Exclude<CommandName, 'help'>, string> = {
  demo: `Usage: netns-kit demo [--prefix PREFIX]

Shows what netns-kit does, on this machine, in about a second, without touching its own
network: creates a namespace standing in for a Docker host, a bridge network
172.17.0.0/16 (docker network create), two containers (namespaces) connected to it,
prints the network, links and routes as tables, sends real TCP and UDP traffic between
the containers and to the gateway, and removes everything again (also on Ctrl-C).

  --prefix PREFIX   name prefix of the throwaway namespaces (default nk-demo-<random>-)

Exit status: 0 when every check passed, 1 when one failed, 2 for bad input or no root.`,
  link: `Usage: netns-kit [-n NS] [-j] link [show] [[dev] NAME] [type KIND] [master BR]

Lists the links of a namespace like \`ip link show\`; \`type\` and \`master\` are filtered by
the kernel. With -j the objects have \`ip -j link\`'s fields: ifindex, ifname, flags, mtu,
qdisc, master, operstate, linkmode, group, txqlen, link_type, address, broadcast,
link (peer in the same namespace) or link_index + link_netnsid (peer elsewhere).

${GLOBAL}`,
  addr: `Usage: netns-kit [-n NS] [-j] [-4|-6] addr [show] [[dev] NAME]

Lists links with their addresses like \`ip addr show\`. With -j each link has
\`addr_info\`: family, local, prefixlen, broadcast, scope, flags (dynamic, secondary,
tentative, …), label, valid_life_time, preferred_life_time — as \`ip -j addr\`.

${GLOBAL}`,
  route: `Usage: netns-kit [-n NS] [-j] [-4|-6] route [show] [table main|local|all|N] [dev NAME]

Lists routes like \`ip route show\` (IPv4 unless -6; table main unless given). With -j:
dst, gateway, dev, protocol, scope, prefsrc, metric, flags, … as \`ip -j route\` (no
"proto boot", "table main" or "scope global", like ip).

${GLOBAL}`,
  neigh: `Usage: netns-kit [-n NS] [-j] [-4|-6] neigh [show] [dev NAME]

Lists the neighbour (ARP / NDP) tables like \`ip neigh show\` (NOARP entries hidden, as ip
does). With -j: dst, dev, lladdr, state, as \`ip -j neigh\`.

${GLOBAL}`,
  nft: `Usage: netns-kit [-n NS] [-j] [-p] nft [list] [ruleset | table FAMILY NAME]

Lists the nf_tables ruleset of the namespace (or one table) like \`nft -a list ruleset\`,
read over netlink (no nft process). With -j: the objects of \`nft -j list ruleset\`'s
"nftables" array — table, set/map (with elem), chain, rule (with expr statements).

${GLOBAL}`,
  fdb: `Usage: netns-kit [-n NS] [-j] fdb [show] [br BRIDGE] [dev NAME]

Lists forwarding-database entries like \`bridge fdb show\`. With -j: mac, ifname, vlan,
flags, master, state, as \`bridge -j fdb\`.

${GLOBAL}`,
  netns: `Usage: netns-kit [-j] netns [list]

Lists the named namespaces (/run/netns) like \`ip netns list\`, with the nsid this
process's namespace gives each one (\`(id: N)\`).

${GLOBAL}`,
  monitor: `Usage: netns-kit [-n NS] [-j] [-4|-6] monitor [link] [address] [route] [neigh] [--count N]

Prints changes as the kernel reports them, like \`ip monitor\` (default: all four kinds),
until Ctrl-C or N events. Deletions start with "Deleted". With -j: one JSON object per
line, the \`ip -j\` fields plus "kind" and, for deletions, "deleted": true.
"monitoring …" is printed on stderr once subscribed.

${GLOBAL}`,
  network: `Usage: netns-kit [-n NS] [-j] network [ls] [--state-dir DIR]
       netns-kit [-n NS] network inspect NAME... [--state-dir DIR]
       netns-kit [-n NS] [-j] network port NAME CONTAINER [--state-dir DIR]
       netns-kit [-n NS] [-j] network gc [NAME...] [--dry-run] [--state-dir DIR]

Docker-style bridge networks whose bridge is in the namespace (BridgeNetwork), made by any
process: read from their records (/run/netns-kit, or $NETNS_KIT_STATE_DIR, or --state-dir)
and the kernel.
  ls        one line per network: id, name, bridge, subnets, containers, whether the bridge
            exists (a record whose bridge is gone is stale)
  inspect   \`docker network inspect\`: configuration and containers as JSON, read back
            from the kernel, with each container's published ports
  port      \`docker port CONTAINER\`: its published ports, \`80/tcp -> 0.0.0.0:32768\`
  gc        repairs what a crashed process left (default: every network): veths of
            interrupted connects or of containers whose namespace is gone, unrecorded bridge
            ports, addresses reserved for nothing, published ports (nf_tables map elements)
            no container records; --dry-run only reports

${GLOBAL}`,
};

/** The help text of one command (or the main help). */
export function helpFor(command: CommandName | undefined): string {
  return command === undefined || command === 'help' ? MAIN_HELP : HELP[command];
}
