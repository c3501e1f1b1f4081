#compdef callwardenctl

__callwardenctl_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__callwardenctl_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __callwardenctl_complete "${completions[@]:0:-1}"
    fi
}

__callwardenctl_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_callwardenctl() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'status:Show whether callwarden is serving, with its policy, record and traffic since start.'
            'history:Show a caller'\''s standing, every incident on record, and each call'\''s story.'
            'explain:Show where a call from this caller would go now, and why.'
            'tail:Follow decisions and incidents live, one line each, until interrupted.'
            'agents:Show each agent'\''s abusive calls in the last hour and day, threats, and last incident.'
            'forgive:Forgive a caller'\''s incidents (all unforgiven ones, or one), keeping the record and the reason.'
            'record:Record an incident by hand (an abuse report that did not come from the switch).'
            'reload:Make callwarden re-read its policy file.'
            'check-policy:Check a policy file without the daemon.'
            'policy:Try a policy change on the recorded history before applying it.'
            'exempt:Keep callers (a register of vulnerable callers, a partner'\''s switchboard) from restricting routes.'
            'review:Restrictions due for review: list them, renew one, or end one.'
            'supervise:Watch supervisor requests live: who needs a verdict, and how long is left.'
            'approve:Approve ending a call: the agent may hang up.'
            'deny:Deny ending a call: the call goes on (you may take it over).'
            'verify:Check that the record is exactly as recorded: no entry changed, removed or reordered.'
            'export:Write the record, with its hashes, for a third party to keep or verify.'
            'purge:Apply the policy'\''s retention now instead of waiting for the daily run.'
            'report:What the record says of a period: incidents, hang-ups, supervisors, forgiveness.'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        status|history|explain|tail|agents|forgive|record|reload|check-policy|policy|exempt|review|supervise|approve|deny|verify|export|purge|report|help)
            "_callwardenctl_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_callwardenctl_status() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_history() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        ':caller:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_explain() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        ':caller:'
        '--dialed[The number dialled, for rules that look at it.]:number:'
        '--attestation[The call'\''s STIR/SHAKEN attestation (A, B or C), for rules on caller-id trust. Default\: none given.]:level:'
        '--verification[The switch'\''s verification\: TN-Validation-Passed, TN-Validation-Failed or No-TN-Validation.]:result:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_tail() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        '--count[Stop after this many events (default\: follow until interrupted).]:n:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_agents() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        '--at[Count as of this time\: RFC 3339 or seconds since 1970 (default\: now).]:time:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_forgive() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        ':caller:'
        '--reason[Why\: kept in the record (required).]:text:'
        '--incident[Forgive only this incident (its id, from `history`).]:id:'
        '--grace[A grace period (30d)\: light incidents in it do not restore a restriction. Default\: the policy'\''s; 0 for none.]:period:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_record() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        ':caller:'
        '--kind[The kind of abuse, one of the policy'\''s categories.]:kind:'
        '--note[What happened, in a few words\: kept in the record.]:text:'
        '--agent[The agent who was abused.]:id:'
        '--call[The call it happened in, if known.]:id:'
        '--at[When it happened\: RFC 3339 or seconds since 1970 (default\: now).]:time:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_reload() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_check-policy() {
    local -i ret=1
    local -ar arg_specs=(
        ':file:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_policy() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'test:Replay the recorded history through a candidate policy and show what would change.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        test)
            "_callwardenctl_policy_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_callwardenctl_policy_test() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        ':candidate:'
        '--since[Compare only calls from this time on\: RFC 3339, seconds since 1970, or an age such as 30d or 12h.]:time:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_exempt() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'add:Exempt a caller, or every number under a prefix (+44800*).'
            'remove:End an exemption (its id, from `exempt list`).'
            'list:Every exemption, lapsed ones too.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        add|remove|list)
            "_callwardenctl_exempt_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_callwardenctl_exempt_add() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        ':target:'
        '--reason[Why\: kept in the record (required).]:text:'
        '--until[When it lapses\: RFC 3339, or a period from now (90d). Default\: until removed.]:time:'
        '--routes[Routes never given\: nuisance (default), supervisor, or both.]:route:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_exempt_remove() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        ':exemption:'
        '--reason[Why\: kept in the record (required).]:text:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_exempt_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_review() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'list:Restrictions due within a period (default 14d), and those already past review.'
            'renew:Keep a caller'\''s restriction for another review period, from now.'
            'end:End a caller'\''s restriction now; new abuse restores it.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        list|renew|end)
            "_callwardenctl_review_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_callwardenctl_review_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        '--within[How far ahead to look\: 7d, 2w, ...]:period:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_review_renew() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        ':caller:'
        '--reason[Why\: kept in the record (required).]:text:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_review_end() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        ':caller:'
        '--reason[Why\: kept in the record (required).]:text:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_supervise() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_approve() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        ':call:'
        '--supervisor[Who approves (default\: your login name).]:id:'
        '--reason[Why\: kept in the record.]:text:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_deny() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        ':call:'
        '--reason[Why the call goes on\: kept in the record (required).]:text:'
        '--supervisor[Who denies (default\: your login name).]:id:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_verify() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        '--file[Verify this export file offline instead of asking the daemon.]:export:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_export() {
    local -i ret=1
    local -ar ___format=('json' 'csv')
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        '--caller[Only this caller'\''s entries.]:caller:'
        '--since[From the first entry recorded at or after this time\: RFC 3339, seconds since 1970, or an age such as 30d or 12h.]:time:'
        '--shared[On a node of a cluster\: the whole shared record, every node'\''s entries, instead of this node'\''s own.]'
        '--format[json (verifiable) or csv (for spreadsheets).]:format:{__callwardenctl_complete "${___format[@]}"}'
        '(-o --output)'{-o,--output}'[Write to this file instead of standard output.]:file:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_purge() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_report() {
    local -i ret=1
    local -ar ___format=('table' 'csv' 'json')
    local -ar arg_specs=(
        '--socket[The daemon'\''s socket (default\: $CALLWARDEN_SOCKET, else /run/callwarden/callwarden.sock).]:path:'
        '--json[Print the daemon'\''s answers as JSON lines, exactly as received, instead of text for people.]'
        '--timeout[Seconds to wait for an answer.]:seconds:'
        '--since[The period'\''s start\: an age such as 30d, 12h or 1y, RFC 3339, seconds since 1970, or all.]:time:'
        '--format[table (for people), csv (for spreadsheets) or json (the daemon'\''s answer).]:format:{__callwardenctl_complete "${___format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_callwardenctl_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _callwardenctl ]]; then
    _callwardenctl "${@}"
else
    compdef _callwardenctl callwardenctl
fi
