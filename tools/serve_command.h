// `pimsim serve`: runs the mock PIM until SIGTERM or SIGINT.
//
// The first line of stdout names the addresses actually bound
// ("http=127.0.0.1:8080 control=127.0.0.1:41234", or with --tls
// "https=127.0.0.1:8443 cert=/tmp/pimsim-tls.x/ca.pem control=..."), so port
// 0 works for scripts and tests. On SIGTERM
// the server stops accepting, lets requests in flight finish, writes the
// journal if asked, and exits 0.
#ifndef PIMSIM_TOOLS_SERVE_COMMAND_H_
#define PIMSIM_TOOLS_SERVE_COMMAND_H_

namespace pimsim::tools {

// argv holds the subcommand's own arguments. Returns the exit code.
int RunServe(int argc, char** argv);

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_SERVE_COMMAND_H_
