# bash completion for git-twin                                        -*- shell-script -*-
#
# Completes `git twin <TAB>` and the standalone `git-twin <TAB>`: command names, then each
# command's options (as git-twin/cli/cmd_*.cpp accept them), `--prefer desired|live`,
# directories for --root, revisions for `restore`, remotes and branches for pull and push,
# the subcommands of `logs`.
#
# Installed as share/bash-completion/completions/git-twin. For `git twin`, git's completion
# looks for a function named _git_twin and, when it is not defined yet, asks bash-completion
# to load it with `_completion_loader git-twin`, which sources this file. For `git-twin`,
# bash-completion loads this file by the command's name. Without bash-completion, source
# this file after git's completion script (for example from ~/.bashrc).

__git_twin_porcelain="init snapshot plan apply undo status adopt restore pull push logs validate key doctor check-deps help"
__git_twin_plumbing="hook filter-process textconv merge-driver"
__git_twin_hooks="post-checkout post-merge post-rewrite pre-commit"

# Options per command, long forms only (short ones: snapshot/adopt -m, apply -y -n).
__git_twin_options () {
	case "$1" in
	init)              echo "--root --force" ;;
	snapshot)          echo "--no-commit --message --push --root" ;;
	plan|status)       echo "--json --exit-code --root" ;;
	apply)             echo "--yes --dry-run --prefer --resume --root" ;;
	adopt)             echo "--message --root" ;;
	undo)              echo "--yes --dry-run --root" ;;
	restore|pull)      echo "--root" ;;
	doctor|check-deps) echo "--fix" ;;
	key)               echo "--force" ;;
	logs)              echo "--json --at --ignore-case --fixed-strings" ;;
	esac
}

# Completes directories (mode -d) or files (mode -f) matching $2.
__git_twin_complete_paths () {
	local mode=$1 word=$2
	if declare -F _filedir >/dev/null 2>&1; then
		local cur=$word
		if [ "$mode" = -d ]; then _filedir -d; else _filedir; fi
		return
	fi
	compopt -o filenames 2>/dev/null
	local IFS=$'\n'
	COMPREPLY=($(compgen "$mode" -- "$word"))
}

# Revisions for restore, with git's ref completion.
__git_twin_complete_refs () {
	if declare -F __git_complete_refs >/dev/null 2>&1; then
		__git_complete_refs --cur="$1"
	elif declare -F __git_refs >/dev/null 2>&1; then
		__gitcomp_nl "$(__git_refs)" "" "$1"
	fi
}

# `git twin pull [--root DIR] [REPOSITORY [REFSPEC...]]`: a remote first, then its branches.
__git_twin_complete_pull () {
	local c=$(($1 + 1)) remote=""
	while [ "$c" -lt "$cword" ]; do
		case "${words[c]}" in
		--root) ((c++)) ;;
		-*) ;;
		*) remote=${words[c]}; break ;;
		esac
		((c++))
	done
	if [ -z "$remote" ]; then
		__gitcomp_nl "$(__git_remotes 2>/dev/null)"
	elif declare -F __git_complete_refs >/dev/null 2>&1; then
		__git_complete_refs --remote="$remote"
	fi
}

# git's completion calls this for `git twin ...` with cur, prev, words, cword set and
# words[__git_cmd_idx] = "twin"; the standalone wrapper below sets __git_cmd_idx to 0.
_git_twin () {
	local top=${__git_cmd_idx:-1}
	local sub_idx=$((top + 1))

	# The command name.
	if [ "$cword" -le "$sub_idx" ]; then
		case "$cur" in
		-*) __gitcomp "--version --help" ;;
		*)
			if [ "${GIT_COMPLETION_SHOW_ALL_COMMANDS-}" = 1 ]; then
				__gitcomp "$__git_twin_porcelain $__git_twin_plumbing"
			else
				__gitcomp "$__git_twin_porcelain"
			fi
			;;
		esac
		return
	fi

	local sub=${words[sub_idx]}
	case "$sub" in
	push)
		# Every argument goes to git push: complete like git push.
		if declare -F _git_push >/dev/null 2>&1; then
			local __git_cmd_idx=$sub_idx
			_git_push
		fi
		return
		;;
	help)
		[ "$cword" -eq $((sub_idx + 1)) ] &&
			__gitcomp "$__git_twin_porcelain $__git_twin_plumbing"
		return
		;;
	hook)
		[ "$cword" -eq $((sub_idx + 1)) ] && __gitcomp "$__git_twin_hooks"
		return
		;;
	esac

	# Values of options.
	case "$cur" in
	--root=*)
		__git_twin_complete_paths -d "${cur#--root=}"
		return
		;;
	--prefer=*)
		__gitcomp "desired live" "" "${cur#--prefer=}"
		return
		;;
	esac
	case "$prev" in
	--root)
		__git_twin_complete_paths -d "$cur"
		return
		;;
	--prefer)
		__gitcomp "desired live"
		return
		;;
	-m|--message)
		COMPREPLY=()
		return
		;;
	esac

	# Options, unless "--" ended them.
	local c=$((sub_idx + 1)) doubledash=""
	while [ "$c" -lt "$cword" ]; do
		[ "${words[c]}" = "--" ] && doubledash=1
		((c++))
	done
	if [ -z "$doubledash" ]; then
		case "$cur" in
		-*)
			__gitcomp "$(__git_twin_options "$sub")"
			return
			;;
		esac
	fi

	# Arguments.
	case "$sub" in
	init)
		__git_twin_complete_paths -d "$cur"
		;;
	restore)
		__git_twin_complete_refs "$cur"
		;;
	adopt)
		case "$cur" in
		/*) __git_twin_complete_paths -f "$cur" ;;
		*) __gitcomp "files.mirror files" ;;
		esac
		;;
	validate)
		__git_twin_complete_paths -f "$cur"
		;;
	logs)
		[ "$cword" -eq $((sub_idx + 1)) ] && __gitcomp "index show grep"
		;;
	pull)
		__git_twin_complete_pull "$sub_idx"
		;;
	*)
		COMPREPLY=()
		;;
	esac
}

# The standalone command, `git-twin ...`: git's completion helpers are needed, so load
# git's completion first when it is not loaded yet.
if ! declare -F __git_complete >/dev/null 2>&1; then
	if declare -F __load_completion >/dev/null 2>&1; then
		__load_completion git
	else
		for __git_twin_f in /usr/share/bash-completion/completions/git \
			/etc/bash_completion.d/git /usr/share/git/completion/git-completion.bash \
			/usr/share/git-core/contrib/completion/git-completion.bash; do
			if [ -r "$__git_twin_f" ]; then
				. "$__git_twin_f"
				break
			fi
		done
		unset __git_twin_f
	fi
fi
if declare -F __git_complete >/dev/null 2>&1; then
	# Defines __git_wrap_git_twin, which sets cur, prev, words, cword and
	# __git_cmd_idx=0 and calls _git_twin.
	__git_complete git-twin _git_twin
else
	# No git completion at all: command names only.
	complete -W "$__git_twin_porcelain" git-twin
fi

# ex: filetype=sh
