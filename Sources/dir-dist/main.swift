// The `dir-dist` executable: the command itself lives in DirDistCommand (so that the
// option parser can be fuzzed without starting MPI).
import DirDistCommand

DirDist.main()
