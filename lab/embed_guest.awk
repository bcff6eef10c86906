# embed_guest.awk -- turns guest/*.s into C strings (lab_guest_files), so that
# traplab.guest_source("arch.s") gives a lab the shipped guest kernel and
# workloads without reading files outside the sandbox, and never a stale copy.
function close_file() { if (name != "") print "    \"\" },"; }
BEGIN { print "/* Generated from the guest sources (guest/) by lab/embed_guest.awk: do not edit. */"
        print "#include <stddef.h>"
        print "const struct lab_guest_file { const char *name, *text; } lab_guest_files[] = {" }
FNR == 1 { close_file(); name = FILENAME; sub(/.*\//, "", name); print "    { \"" name "\"," }
{ gsub(/\\/, "&&"); gsub(/"/, "\\\""); print "    \"" $0 "\\n\"" }
END { close_file(); print "    { NULL, NULL },"; print "};" }
