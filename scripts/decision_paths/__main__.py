from decision_paths.cli import main

raise SystemExit(main())
