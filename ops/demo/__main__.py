import sys

from ops.demo import main

sys.exit(main())
