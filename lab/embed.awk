# embed.awk -- turns prelude.lua into a C string (lab_prelude_source).
BEGIN { print "/* Generated from lab/prelude.lua by lab/embed.awk: do not edit. */"
        print "#include <stddef.h>"
        print "const char lab_prelude_source[] =" }
{ gsub(/\\/, "&&"); gsub(/"/, "\\\""); print "    \"" $0 "\\n\"" }
END { print "    \"\";"
      print "const size_t lab_prelude_length = sizeof lab_prelude_source - 1;" }
