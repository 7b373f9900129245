import sys

from copkit.cli import main

sys.exit(main())
