function __callwardenctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __callwardenctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __callwardenctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __callwardenctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __callwardenctl_parse_tokens -S
    set -l unparsed_tokens (__callwardenctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'callwardenctl'
        __callwardenctl_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'status'
            __callwardenctl_parse_subcommand 0 'socket=' 'json' 'timeout=' 'version' 'h/help'
        case 'history'
            __callwardenctl_parse_subcommand 1 'socket=' 'json' 'timeout=' 'version' 'h/help'
        case 'explain'
            __callwardenctl_parse_subcommand 1 'socket=' 'json' 'timeout=' 'dialed=' 'attestation=' 'verification=' 'version' 'h/help'
        case 'tail'
            __callwardenctl_parse_subcommand 0 'socket=' 'json' 'timeout=' 'count=' 'version' 'h/help'
        case 'agents'
            __callwardenctl_parse_subcommand 0 'socket=' 'json' 'timeout=' 'at=' 'version' 'h/help'
        case 'forgive'
            __callwardenctl_parse_subcommand 1 'socket=' 'json' 'timeout=' 'reason=' 'incident=' 'grace=' 'version' 'h/help'
        case 'record'
            __callwardenctl_parse_subcommand 1 'socket=' 'json' 'timeout=' 'kind=' 'note=' 'agent=' 'call=' 'at=' 'version' 'h/help'
        case 'reload'
            __callwardenctl_parse_subcommand 0 'socket=' 'json' 'timeout=' 'version' 'h/help'
        case 'check-policy'
            __callwardenctl_parse_subcommand 1 'version' 'h/help'
        case 'policy'
            __callwardenctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'test'
                __callwardenctl_parse_subcommand 1 'socket=' 'json' 'timeout=' 'since=' 'version' 'h/help'
            end
        case 'exempt'
            __callwardenctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __callwardenctl_parse_subcommand 1 'socket=' 'json' 'timeout=' 'reason=' 'until=' 'routes=+' 'version' 'h/help'
            case 'remove'
                __callwardenctl_parse_subcommand 1 'socket=' 'json' 'timeout=' 'reason=' 'version' 'h/help'
            case 'list'
                __callwardenctl_parse_subcommand 0 'socket=' 'json' 'timeout=' 'version' 'h/help'
            end
        case 'review'
            __callwardenctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __callwardenctl_parse_subcommand 0 'socket=' 'json' 'timeout=' 'within=' 'version' 'h/help'
            case 'renew'
                __callwardenctl_parse_subcommand 1 'socket=' 'json' 'timeout=' 'reason=' 'version' 'h/help'
            case 'end'
                __callwardenctl_parse_subcommand 1 'socket=' 'json' 'timeout=' 'reason=' 'version' 'h/help'
            end
        case 'supervise'
            __callwardenctl_parse_subcommand 0 'socket=' 'json' 'timeout=' 'version' 'h/help'
        case 'approve'
            __callwardenctl_parse_subcommand 1 'socket=' 'json' 'timeout=' 'supervisor=' 'reason=' 'version' 'h/help'
        case 'deny'
            __callwardenctl_parse_subcommand 1 'socket=' 'json' 'timeout=' 'reason=' 'supervisor=' 'version' 'h/help'
        case 'verify'
            __callwardenctl_parse_subcommand 0 'socket=' 'json' 'timeout=' 'file=' 'version' 'h/help'
        case 'export'
            __callwardenctl_parse_subcommand 0 'socket=' 'json' 'timeout=' 'caller=' 'since=' 'shared' 'format=' 'o/output=' 'version' 'h/help'
        case 'purge'
            __callwardenctl_parse_subcommand 0 'socket=' 'json' 'timeout=' 'version' 'h/help'
        case 'report'
            __callwardenctl_parse_subcommand 0 'socket=' 'json' 'timeout=' 'since=' 'format=' 'version' 'h/help'
        case 'help'
            __callwardenctl_parse_subcommand -r 1 'version'
        end
    end
end

function __callwardenctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __callwardenctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __callwardenctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __callwardenctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__callwardenctl_tokens -p)
    if test -z "$(__callwardenctl_tokens -t)"
        set -l index (count (__callwardenctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'callwardenctl' -f
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'status' -d 'Show whether callwarden is serving, with its policy, record and traffic since start.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'history' -d 'Show a caller\'s standing, every incident on record, and each call\'s story.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'explain' -d 'Show where a call from this caller would go now, and why.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'tail' -d 'Follow decisions and incidents live, one line each, until interrupted.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'agents' -d 'Show each agent\'s abusive calls in the last hour and day, threats, and last incident.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'forgive' -d 'Forgive a caller\'s incidents (all unforgiven ones, or one), keeping the record and the reason.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'record' -d 'Record an incident by hand (an abuse report that did not come from the switch).'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'reload' -d 'Make callwarden re-read its policy file.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'check-policy' -d 'Check a policy file without the daemon.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'policy' -d 'Try a policy change on the recorded history before applying it.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'exempt' -d 'Keep callers (a register of vulnerable callers, a partner\'s switchboard) from restricting routes.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'review' -d 'Restrictions due for review: list them, renew one, or end one.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'supervise' -d 'Watch supervisor requests live: who needs a verdict, and how long is left.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'approve' -d 'Approve ending a call: the agent may hang up.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'deny' -d 'Deny ending a call: the call goes on (you may take it over).'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'verify' -d 'Check that the record is exactly as recorded: no entry changed, removed or reordered.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'export' -d 'Write the record, with its hashes, for a third party to keep or verify.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'purge' -d 'Apply the policy\'s retention now instead of waiting for the daily run.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'report' -d 'What the record says of a period: incidents, hang-ups, supervisors, forgiveness.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl status" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl status" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl status" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl status" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl history" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl history" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl history" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl history" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl history" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl explain" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl explain" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl explain" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl explain" dialed' -l 'dialed' -d 'The number dialled, for rules that look at it.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl explain" attestation' -l 'attestation' -d 'The call\'s STIR/SHAKEN attestation (A, B or C), for rules on caller-id trust. Default: none given.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl explain" verification' -l 'verification' -d 'The switch\'s verification: TN-Validation-Passed, TN-Validation-Failed or No-TN-Validation.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl explain" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl explain" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl tail" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl tail" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl tail" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl tail" count' -l 'count' -d 'Stop after this many events (default: follow until interrupted).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl tail" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl tail" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl agents" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl agents" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl agents" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl agents" at' -l 'at' -d 'Count as of this time: RFC 3339 or seconds since 1970 (default: now).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl agents" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl agents" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl forgive" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl forgive" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl forgive" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl forgive" reason' -l 'reason' -d 'Why: kept in the record (required).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl forgive" incident' -l 'incident' -d 'Forgive only this incident (its id, from `history`).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl forgive" grace' -l 'grace' -d 'A grace period (30d): light incidents in it do not restore a restriction. Default: the policy\'s; 0 for none.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl forgive" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl forgive" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl record" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl record" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl record" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl record" kind' -l 'kind' -d 'The kind of abuse, one of the policy\'s categories.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl record" note' -l 'note' -d 'What happened, in a few words: kept in the record.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl record" agent' -l 'agent' -d 'The agent who was abused.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl record" call' -l 'call' -d 'The call it happened in, if known.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl record" at' -l 'at' -d 'When it happened: RFC 3339 or seconds since 1970 (default: now).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl record" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl record" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl reload" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl reload" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl reload" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl reload" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl reload" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl check-policy" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl check-policy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl policy" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl policy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl policy" -eq 1' -fa 'test' -d 'Replay the recorded history through a candidate policy and show what would change.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl policy test" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl policy test" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl policy test" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl policy test" since' -l 'since' -d 'Compare only calls from this time on: RFC 3339, seconds since 1970, or an age such as 30d or 12h.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl policy test" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl policy test" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl exempt" -eq 1' -fa 'add' -d 'Exempt a caller, or every number under a prefix (+44800*).'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl exempt" -eq 1' -fa 'remove' -d 'End an exemption (its id, from `exempt list`).'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl exempt" -eq 1' -fa 'list' -d 'Every exemption, lapsed ones too.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt add" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt add" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt add" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt add" reason' -l 'reason' -d 'Why: kept in the record (required).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt add" until' -l 'until' -d 'When it lapses: RFC 3339, or a period from now (90d). Default: until removed.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt add"' -l 'routes' -d 'Routes never given: nuisance (default), supervisor, or both.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt add" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt remove" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt remove" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt remove" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt remove" reason' -l 'reason' -d 'Why: kept in the record (required).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt remove" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt list" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt list" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt list" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt list" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl exempt list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl review" -eq 1' -fa 'list' -d 'Restrictions due within a period (default 14d), and those already past review.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl review" -eq 1' -fa 'renew' -d 'Keep a caller\'s restriction for another review period, from now.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_positional "callwardenctl review" -eq 1' -fa 'end' -d 'End a caller\'s restriction now; new abuse restores it.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review list" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review list" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review list" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review list" within' -l 'within' -d 'How far ahead to look: 7d, 2w, ...' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review list" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review renew" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review renew" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review renew" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review renew" reason' -l 'reason' -d 'Why: kept in the record (required).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review renew" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review renew" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review end" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review end" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review end" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review end" reason' -l 'reason' -d 'Why: kept in the record (required).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review end" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl review end" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl supervise" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl supervise" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl supervise" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl supervise" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl supervise" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl approve" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl approve" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl approve" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl approve" supervisor' -l 'supervisor' -d 'Who approves (default: your login name).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl approve" reason' -l 'reason' -d 'Why: kept in the record.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl approve" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl approve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl deny" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl deny" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl deny" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl deny" reason' -l 'reason' -d 'Why the call goes on: kept in the record (required).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl deny" supervisor' -l 'supervisor' -d 'Who denies (default: your login name).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl deny" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl deny" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl verify" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl verify" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl verify" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl verify" file' -l 'file' -d 'Verify this export file offline instead of asking the daemon.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl verify" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl export" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl export" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl export" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl export" caller' -l 'caller' -d 'Only this caller\'s entries.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl export" since' -l 'since' -d 'From the first entry recorded at or after this time: RFC 3339, seconds since 1970, or an age such as 30d or 12h.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl export" shared' -l 'shared' -d 'On a node of a cluster: the whole shared record, every node\'s entries, instead of this node\'s own.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl export" format' -l 'format' -d 'json (verifiable) or csv (for spreadsheets).' -rfka 'json csv'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl export" o output' -s 'o' -l 'output' -d 'Write to this file instead of standard output.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl export" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl purge" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl purge" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl purge" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl purge" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl purge" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl report" socket' -l 'socket' -d 'The daemon\'s socket (default: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl report" json' -l 'json' -d 'Print the daemon\'s answers as JSON lines, exactly as received, instead of text for people.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl report" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl report" since' -l 'since' -d 'The period\'s start: an age such as 30d, 12h or 1y, RFC 3339, seconds since 1970, or all.' -rfka ''
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl report" format' -l 'format' -d 'table (for people), csv (for spreadsheets) or json (the daemon\'s answer).' -rfka 'table csv json'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl report" version' -l 'version' -d 'Show the version.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl report" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'callwardenctl' -n '__callwardenctl_should_offer_completions_for_flags_or_options "callwardenctl help" version' -l 'version' -d 'Show the version.'
