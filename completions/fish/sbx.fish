# fish completion for sbx(1)

# What each option's arguments are, one word per argument (see
# completions/bash/sbx for the legend). Options not listed take none.
function __sbx_arg_kinds -a opt
    switch $opt
        case --args --userns --userns2 --pidns --sync-fd --seccomp \
             --add-seccomp-fd --block-fd --userns-block-fd --info-fd \
             --json-status-fd
            echo fd
        case --argv0 --uid --gid --hostname --exec-label --file-label --size
            echo -
        case --chdir --overlay-src --tmp-overlay --ro-overlay --proc --dev \
             --tmpfs --mqueue --dir
            echo dir
        case --lock-file --remount-ro
            echo path
        case --unsetenv
            echo env
        case --perms
            echo mode
        case --cap-add --cap-drop
            echo cap
        case --setenv
            echo env -
        case --bind --bind-try --dev-bind --dev-bind-try --ro-bind \
             --ro-bind-try --symlink
            echo path path
        case --bind-fd --ro-bind-fd --file --bind-data --ro-bind-data
            echo fd path
        case --chmod
            echo mode path
        case --overlay
            echo dir dir dir
        case --profile --check
            echo profile
        case --stop --freeze --thaw --join
            echo running
        case --share --unshare
            echo running path
        case --desktop-install --desktop-remove
            echo app
        case --ro --rw --persist --hide --private
            echo path
        case --socket --no-socket
            echo socket
        case --device --no-device
            echo device
        case --network
            echo net
        case --egress
            echo egress
        case --syscall-deny --syscall-allow
            echo syscall
        case --syscall-errno
            echo errno
        case --allow-debugging
            echo yesno
        case --syscall-filter
            echo filter
        case --dbus-session --dbus-system
            echo bus
        case --landlock
            echo landlock
        case --landlock-scope --cgroup-namespace
            echo onoff
        case --tcp-connect --tcp-bind
            echo ports
        case --dbus-see --dbus-talk --dbus-own --dbus-call --dbus-broadcast \
             --dbus-system-see --dbus-system-talk --dbus-system-own \
             --dbus-system-call --dbus-system-broadcast --app-id --name --env \
             --memory-max --memory-high --memory-swap-max --cpu-max --cpu-weight \
             --cpus --pids-max --io-max --io-weight --as --forward-port --allow-host-port --egress-allow --learn
            echo -
        case --output
            echo path
    end
end

# Profile names: NAME.profile in the profile search path (sbx-profile(5)),
# and files once the word looks like a path.
function __sbx_profiles
    set -l dirs (string split ':' -- "$SBX_PROFILE_PATH")
    set -l config $XDG_CONFIG_HOME
    test -n "$config"; or set config $HOME/.config
    set -a dirs $config/sbx/profiles /etc/sbx/profiles \
        /usr/local/share/sbx/profiles /usr/share/sbx/profiles
    for d in $dirs
        string match -q -- '/*' $d; or continue
        for f in $d/*.profile
            string replace -r '\.profile$' '' -- (basename $f)
        end
    end | sort -u
    set -l cur (commandline -ct)
    if string match -q -r -- '^(\.|~|.*/)' $cur
        __fish_complete_path $cur
    end
end

# Desktop file IDs of installed applications.
function __sbx_desktop_ids
    set -l data $XDG_DATA_HOME
    test -n "$data"; or set data $HOME/.local/share
    set -l dirs $data (string split ':' -- $XDG_DATA_DIRS)
    test -n "$XDG_DATA_DIRS"; or set -a dirs /usr/local/share /usr/share
    for d in $dirs
        for f in $d/applications/*.desktop
            string replace -r '\.desktop$' '' -- (basename $f)
        end
    end | sort -u
end

# "sbx --explain NAME [COMMAND]": without --profile, NAME is a profile.
function __sbx_explaining
    set -l tokens (commandline -opc)
    contains -- --explain $tokens; and not contains -- --profile $tokens
end

# The names of the running sandboxes (sbx --list).
function __sbx_running_names
    sbx --list 2>/dev/null | awk 'NR > 1 { print $1 }'
end

# "sbx --stats [--json] [--watch [SECONDS]] [NAME]": NAME is a running
# sandbox (a number right after --watch is its interval), nothing comes
# after it.  Fails unless --stats was given.
function __sbx_stats_name
    set -l tokens (commandline -opc)
    contains -- --stats $tokens; or return 1
    set -l named 0
    set -l prev
    for w in $tokens[2..-1]
        if string match -q -- '-*' $w
        else if test "$prev" = --watch; and string match -qr '^[0-9]+(\.[0-9]+)?$' -- $w
        else
            set named 1
        end
        set prev $w
    end
    test $named = 0; and __sbx_running_names
    return 0
end

# The first word after the options: a running sandbox for --stats, a
# profile when explaining, else the command.
function __sbx_complete_first
    if __sbx_stats_name
        return
    end
    if __sbx_explaining
        __sbx_profiles
    else
        __fish_complete_command
    end
end

# Where is the cursor?  Prints "opt", "arg KIND" or "cmd INDEX" (INDEX of
# the command word among the tokens before the cursor, possibly one past
# the end when the cursor is on the command itself).
function __sbx_state
    set -l tokens (commandline -opc)
    set -l n (count $tokens)
    set -l i 2
    while test $i -le $n
        set -l w $tokens[$i]
        if test "$w" = --
            echo cmd (math $i + 1)
            return
        end
        if not string match -q -- '-*' $w
            echo cmd $i
            return
        end
        set -l kinds (string split ' ' -- (__sbx_arg_kinds $w))
        set -l a (count $kinds)
        if test -z "$kinds"
            set a 0
        end
        if test (math $i + $a) -gt $n
            echo arg $kinds[(math $n - $i + 1)]
            return
        end
        set i (math $i + $a + 1)
    end
    echo opt
end

function __sbx_is -a what
    set -l state (string split ' ' -- (__sbx_state))
    test "$state[1]" = "$what"; or test "$state[1] $state[2]" = "$what"
end

function __sbx_complete_command
    __sbx_stats_name; and return
    set -l state (string split ' ' -- (__sbx_state))
    set -l tokens (commandline -opc)
    set -l start $state[2]
    if __sbx_explaining
        if test $start -gt (count $tokens)
            __sbx_profiles
            return
        end
        set start (math $start + 1)
    end
    if test $start -gt (count $tokens)
        __fish_complete_command
    else
        # Complete the sandboxed command's own arguments with its own rules.
        set -l sub $tokens[$start..-1]
        complete -C (string join ' ' -- (string escape -- $sub) (commandline -ct))
    end
end

complete -c sbx -f

# The command, and its arguments.
complete -c sbx -n '__sbx_is cmd' -a '(__sbx_complete_command)'
complete -c sbx -n '__sbx_is opt; and not string match -q -- "-*" (commandline -ct)' \
    -a '(__sbx_complete_first)'

# Option arguments.
complete -c sbx -n '__sbx_is "arg path"' -F
complete -c sbx -n '__sbx_is "arg dir"' -a '(__fish_complete_directories)'
complete -c sbx -n '__sbx_is "arg env"' -a '(set -nx)'
complete -c sbx -n '__sbx_is "arg mode"' -a '0700 0750 0755 0600 0640 0644 0444 1777'
complete -c sbx -n '__sbx_is "arg cap"' -a 'ALL CAP_CHOWN CAP_DAC_OVERRIDE
    CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID
    CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST
    CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE
    CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN
    CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG
    CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP
    CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND
    CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE'
complete -c sbx -n '__sbx_is "arg profile"' -a '(__sbx_profiles)'
complete -c sbx -n '__sbx_is "arg app"' -a '(__sbx_desktop_ids)'
complete -c sbx -n '__sbx_is "arg running"' -a '(__sbx_running_names)'
complete -c sbx -n '__sbx_is "arg socket"' -a 'x11 wayland pulseaudio pipewire ssh-agent cups'
complete -c sbx -n '__sbx_is "arg device"' -a 'dri sound video input u2f all'
complete -c sbx -n '__sbx_is "arg net"' -a 'none host private'
complete -c sbx -n '__sbx_is "arg egress"' -a 'open deny-local deny-all'
complete -c sbx -n '__sbx_is "arg syscall"' -a '@namespaces @mount @keyring @module @reboot @swap @system @bpf @debug @userfaultfd @io-uring @numa @cpu-emulation @obsolete @tty @socket-families @bluetooth @can'
complete -c sbx -n '__sbx_is "arg errno"' -a 'EPERM EACCES ENOSYS EINVAL'
complete -c sbx -n '__sbx_is "arg yesno"' -a 'yes no'
complete -c sbx -n '__sbx_is "arg filter"' -a 'default allowlist none'
complete -c sbx -n '__sbx_is "arg bus"' -a 'none filter full'
complete -c sbx -n '__sbx_is "arg landlock"' -a 'on off required'
complete -c sbx -n '__sbx_is "arg onoff"' -a 'on off'
complete -c sbx -n '__sbx_is "arg ports"' -a 'any none'
# "arg fd" and "arg -": nothing is offered (files are off by default).

# Options.
function __sbx_opt -a name desc
    complete -c sbx -n '__sbx_is opt' -l $name -d $desc
end
__sbx_opt help 'Print usage and exit'
__sbx_opt version 'Print version and exit'
__sbx_opt args 'Read NUL-separated arguments from FD'
__sbx_opt argv0 'argv[0] for the command'
__sbx_opt level-prefix 'Prefix diagnostics with syslog priorities'
__sbx_opt unshare-all 'Unshare every namespace that is possible'
__sbx_opt share-net 'Keep the network namespace'
__sbx_opt unshare-user 'Create a user namespace'
__sbx_opt unshare-user-try 'Create a user namespace if possible'
__sbx_opt unshare-ipc 'Create an IPC namespace'
__sbx_opt unshare-pid 'Create a PID namespace'
__sbx_opt unshare-net 'Create a network namespace'
__sbx_opt unshare-uts 'Create a UTS namespace'
__sbx_opt unshare-cgroup 'Create a cgroup namespace'
__sbx_opt unshare-cgroup-try 'Create a cgroup namespace if possible'
__sbx_opt userns 'Enter the user namespace open on FD'
__sbx_opt userns2 'Switch to the user namespace on FD after setup'
__sbx_opt disable-userns 'Forbid user namespaces in the sandbox'
__sbx_opt assert-userns-disabled 'Fail unless user namespaces are forbidden'
__sbx_opt pidns 'Use the PID namespace open on FD'
__sbx_opt uid 'User id in the sandbox'
__sbx_opt gid 'Group id in the sandbox'
__sbx_opt hostname 'Host name in the sandbox'
__sbx_opt chdir 'Working directory in the sandbox'
__sbx_opt setenv 'Set an environment variable'
__sbx_opt unsetenv 'Unset an environment variable'
__sbx_opt clearenv 'Clear the environment'
__sbx_opt lock-file 'Hold a read lock on a file while running'
__sbx_opt sync-fd 'Keep FD open while the sandbox runs'
__sbx_opt bind 'Bind read-write'
__sbx_opt bind-try 'Bind read-write if the source exists'
__sbx_opt dev-bind 'Bind with device access'
__sbx_opt dev-bind-try 'Bind with device access if the source exists'
__sbx_opt ro-bind 'Bind read-only'
__sbx_opt ro-bind-try 'Bind read-only if the source exists'
__sbx_opt bind-fd 'Bind what FD refers to'
__sbx_opt ro-bind-fd 'Bind what FD refers to, read-only'
__sbx_opt remount-ro 'Make a mount read-only'
__sbx_opt overlay-src 'Lower layer for the next overlay'
__sbx_opt overlay 'Overlay with a writable host directory'
__sbx_opt tmp-overlay 'Overlay whose writes are discarded'
__sbx_opt ro-overlay 'Read-only overlay'
__sbx_opt exec-label 'SELinux context of the command'
__sbx_opt file-label 'SELinux context of created files'
__sbx_opt proc 'Mount proc'
__sbx_opt dev 'Mount a minimal /dev'
__sbx_opt tmpfs 'Mount a tmpfs'
__sbx_opt mqueue 'Mount mqueue'
__sbx_opt dir 'Create a directory'
__sbx_opt file 'Copy FD into a new file'
__sbx_opt bind-data 'Copy FD into a file and bind it'
__sbx_opt ro-bind-data 'Copy FD into a file and bind it read-only'
__sbx_opt symlink 'Create a symbolic link'
__sbx_opt chmod 'Change the mode of a path'
__sbx_opt perms 'Mode for the next created file, directory or tmpfs'
__sbx_opt size 'Size in bytes of the next tmpfs'
__sbx_opt seccomp 'Load a seccomp BPF program from FD'
__sbx_opt add-seccomp-fd 'Stack a seccomp BPF program from FD'
__sbx_opt block-fd 'Wait for a byte on FD before running'
__sbx_opt userns-block-fd 'Wait on FD for uid/gid maps'
__sbx_opt info-fd 'Write sandbox information as JSON to FD'
__sbx_opt json-status-fd 'Write JSON status lines to FD'
__sbx_opt new-session 'Run the command in a new session'
__sbx_opt die-with-parent 'Kill the sandbox when the caller dies'
__sbx_opt as-pid-1 'Run the command as PID 1'
__sbx_opt cap-add 'Add a capability'
__sbx_opt cap-drop 'Drop a capability'
__sbx_opt profile 'Use this profile'
__sbx_opt noprofile 'Use no profile, only the options given'
__sbx_opt check 'Check a profile and exit'
__sbx_opt explain 'Print the policy and plan instead of running'
__sbx_opt explain-denials 'Report each access the sandbox refuses and the rule that did'
__sbx_opt json 'With --explain or --doctor: print JSON'
__sbx_opt desktop-install 'Sandbox an application in the menus'
__sbx_opt desktop-remove 'Undo --desktop-install'
__sbx_opt desktop-list 'List the desktop entries sbx wrote'
__sbx_opt doctor 'Say what this machine supports and what is missing'
__sbx_opt list 'List the running sandboxes'
__sbx_opt stop 'Stop a running sandbox'
__sbx_opt freeze 'Freeze a running sandbox'
__sbx_opt thaw 'Thaw a frozen sandbox'
__sbx_opt stats 'CPU, memory, processes and I/O of running sandboxes'
__sbx_opt watch 'With --stats: refresh every SECONDS (default 2)'
__sbx_opt join 'Run a command inside a running sandbox'
__sbx_opt share 'Mount a host path into a running sandbox'
__sbx_opt unshare 'Take a shared path out of a running sandbox'
__sbx_opt as 'With --share: where the path appears in the sandbox'
__sbx_opt learn 'Record what the command uses and propose a profile NAME'
__sbx_opt output 'With --learn: write the profile to this file'
__sbx_opt ro 'Show a host path read-only'
__sbx_opt rw 'Show a host path writable'
__sbx_opt persist 'Show a host path writable, creating it first'
__sbx_opt hide 'Hide a path'
__sbx_opt private 'Empty private tmpfs at a path'
__sbx_opt socket 'Connect a desktop service'
__sbx_opt no-socket 'Do not connect a desktop service'
__sbx_opt device 'Give a device group'
__sbx_opt no-device 'Take back a device group'
__sbx_opt network 'Network access: none, host or private'
__sbx_opt forward-port 'Private network: forward a host port to the sandbox (tcp:HOSTPORT:PORT)'
__sbx_opt allow-host-port 'Private network: reach a host loopback TCP port (tcp:PORT)'
__sbx_opt egress 'Private network: destinations the app may reach (open, deny-local, deny-all)'
__sbx_opt egress-allow 'Private network: an exception to --egress (DEST[@PROTO:PORTS])'
__sbx_opt landlock 'Landlock rules from the mounts: on, off or required'
__sbx_opt landlock-scope 'Landlock: keep abstract sockets and signals inside (on or off)'
__sbx_opt tcp-connect 'Landlock: TCP ports the app may connect to (any, none or a list)'
__sbx_opt tcp-bind 'Landlock: TCP ports the app may listen on (any, none or a list)'
__sbx_opt cgroup-namespace 'A cgroup namespace rooted at the sandbox cgroup (on or off)'
__sbx_opt memory-max 'Memory limit (cgroup memory.max; K, M, G)'
__sbx_opt memory-high 'Memory throttle (cgroup memory.high)'
__sbx_opt memory-swap-max 'Swap limit (cgroup memory.swap.max)'
__sbx_opt cpu-max 'CPU limit as a number of CPUs, e.g. 0.5'
__sbx_opt cpu-weight 'CPU share, 1-10000'
__sbx_opt cpus 'CPUs the sandbox may use, e.g. 0-1'
__sbx_opt pids-max 'Most processes and threads at once'
__sbx_opt io-max 'I/O limits: "PATH rbps=N wbps=N riops=N wiops=N"'
__sbx_opt io-weight 'I/O share: [PATH] 1-10000'
__sbx_opt dbus-session 'Session bus: none, filter or full'
__sbx_opt dbus-system 'System bus: none, filter or full'
__sbx_opt dbus-see 'Session bus: name is visible'
__sbx_opt dbus-talk 'Session bus: may talk to name'
__sbx_opt dbus-own 'Session bus: may own name'
__sbx_opt dbus-call 'Session bus: allowed calls NAME=RULE'
__sbx_opt dbus-broadcast 'Session bus: allowed broadcasts NAME=RULE'
__sbx_opt dbus-system-see 'System bus: name is visible'
__sbx_opt dbus-system-talk 'System bus: may talk to name'
__sbx_opt dbus-system-own 'System bus: may own name'
__sbx_opt dbus-system-call 'System bus: allowed calls NAME=RULE'
__sbx_opt dbus-system-broadcast 'System bus: allowed broadcasts NAME=RULE'
__sbx_opt app-id 'Application id (reverse DNS)'
__sbx_opt name 'Sandbox name'
__sbx_opt env 'Set an environment variable NAME=VALUE'
__sbx_opt syscall-deny 'Refuse a system call or group'
__sbx_opt syscall-allow 'Take a system call or group out of the default filter'
__sbx_opt syscall-errno 'The errno refused calls fail with'
__sbx_opt allow-debugging 'Allow ptrace and perf_event_open: yes or no'
__sbx_opt syscall-filter 'The default system call filter: default or none'
__sbx_opt seccomp-default 'The default system call filter, bubblewrap-style'
functions -e __sbx_opt
