from ruhui.manage import main

main()
