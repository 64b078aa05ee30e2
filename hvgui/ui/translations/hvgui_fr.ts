<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <source>Operating system shutdown</source>
        <translation>Arrêt du système d&apos;exploitation</translation>
    </message>
    <message>
        <source>Time synchronization</source>
        <translation>Synchronisation date/heure</translation>
    </message>
    <message>
        <source>Data Exchange</source>
        <translation>Échange de données</translation>
    </message>
    <message>
        <source>Heartbeat</source>
        <translation>Pulsation</translation>
    </message>
    <message>
        <source>Backup (volume shadow copy)</source>
        <translation>Sauvegarde (point de contrôle du volume)</translation>
    </message>
    <message>
        <source>Guest services</source>
        <translation>Services d&apos;invité</translation>
    </message>
    <message>
        <source>Host settings need fixing</source>
        <translation>Paramètres de l&apos;hôte à corriger</translation>
    </message>
    <message>
        <source>Host unreachable</source>
        <translation>Hôte injoignable</translation>
    </message>
    <message>
        <source>Host name not resolved</source>
        <translation>Nom d&apos;hôte non résolu</translation>
    </message>
    <message>
        <source>TLS certificate not trusted</source>
        <translation>Certificat TLS non approuvé</translation>
    </message>
    <message>
        <source>Wrong user name or password</source>
        <translation>Nom d&apos;utilisateur ou mot de passe incorrect</translation>
    </message>
    <message>
        <source>Access denied</source>
        <translation>Accès refusé</translation>
    </message>
    <message>
        <source>WinRM quota reached</source>
        <translation>Quota WinRM atteint</translation>
    </message>
    <message>
        <source>PowerShell error</source>
        <translation>Erreur PowerShell</translation>
    </message>
    <message>
        <source>Unexpected output from the host</source>
        <translation>Réponse inattendue de l&apos;hôte</translation>
    </message>
    <message>
        <source>WinRM error</source>
        <translation>Erreur WinRM</translation>
    </message>
    <message>
        <source>PowerShell too old</source>
        <translation>PowerShell trop ancien</translation>
    </message>
    <message>
        <source>No Hyper-V PowerShell module</source>
        <translation>Module PowerShell Hyper-V absent</translation>
    </message>
    <message>
        <source>Not a Hyper-V administrator</source>
        <translation>Pas administrateur Hyper-V</translation>
    </message>
    <message>
        <source>Host certificate CHANGED</source>
        <translation>Certificat de l&apos;hôte MODIFIÉ</translation>
    </message>
    <message>
        <source>{title}: {message}</source>
        <comment>host error</comment>
        <translation>{title} : {message}</translation>
    </message>
    <message>
        <source>Running</source>
        <comment>VM state</comment>
        <translation>En fonctionnement</translation>
    </message>
    <message>
        <source>Off</source>
        <comment>VM state</comment>
        <translation>Arrêté</translation>
    </message>
    <message>
        <source>Saved</source>
        <comment>VM state</comment>
        <translation>Enregistré</translation>
    </message>
    <message>
        <source>Paused</source>
        <comment>VM state</comment>
        <translation>Suspendu</translation>
    </message>
    <message>
        <source>Starting</source>
        <comment>VM state</comment>
        <translation>Démarrage</translation>
    </message>
    <message>
        <source>Stopping</source>
        <comment>VM state</comment>
        <translation>Arrêt en cours</translation>
    </message>
    <message>
        <source>Saving</source>
        <comment>VM state</comment>
        <translation>Enregistrement</translation>
    </message>
    <message>
        <source>Pausing</source>
        <comment>VM state</comment>
        <translation>Suspension</translation>
    </message>
    <message>
        <source>Resuming</source>
        <comment>VM state</comment>
        <translation>Reprise</translation>
    </message>
    <message>
        <source>Reset</source>
        <comment>VM state</comment>
        <translation>Réinitialisation</translation>
    </message>
    <message>
        <source>Other</source>
        <comment>VM state</comment>
        <translation>Autre</translation>
    </message>
    <message>
        <source>Running (critical)</source>
        <comment>VM state</comment>
        <translation>En fonctionnement (critique)</translation>
    </message>
    <message>
        <source>Off (critical)</source>
        <comment>VM state</comment>
        <translation>Arrêté (critique)</translation>
    </message>
    <message>
        <source>Saved (critical)</source>
        <comment>VM state</comment>
        <translation>Enregistré (critique)</translation>
    </message>
    <message>
        <source>Paused (critical)</source>
        <comment>VM state</comment>
        <translation>Suspendu (critique)</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Quand</translation>
    </message>
    <message>
        <source>works</source>
        <comment>guest side</comment>
        <translation>fonctionne</translation>
    </message>
    <message>
        <source>enabled on host, stopped in guest</source>
        <translation>activé sur l&apos;hôte, arrêté dans l&apos;invité</translation>
    </message>
    <message>
        <source>disabled in guest (Hyper-V cannot start it)</source>
        <translation>désactivé dans l&apos;invité (Hyper-V ne peut pas le démarrer)</translation>
    </message>
    <message>
        <source>enabled on host, not installed in guest</source>
        <translation>activé sur l&apos;hôte, non installé dans l&apos;invité</translation>
    </message>
    <message>
        <source>disabled on host</source>
        <translation>désactivé sur l&apos;hôte</translation>
    </message>
    <message>
        <source>guest side unknown</source>
        <translation>côté invité inconnu</translation>
    </message>
    <message>
        <source>no guest credentials for this VM</source>
        <translation>aucun identifiant d&apos;invité pour cette VM</translation>
    </message>
    <message>
        <source>PowerShell Direct needs a Windows Server 2016 / Windows 10 or later host</source>
        <translation>PowerShell Direct exige un hôte Windows Server 2016 / Windows 10 ou ultérieur</translation>
    </message>
    <message>
        <source>PowerShell Direct needs a Windows Server 2016 / Windows 10 or later guest</source>
        <translation>PowerShell Direct exige un invité Windows Server 2016 / Windows 10 ou ultérieur</translation>
    </message>
    <message>
        <source>PowerShell Direct needs the VM running</source>
        <translation>PowerShell Direct exige que la VM soit en fonctionnement</translation>
    </message>
    <message>
        <source>the guest refused the credentials</source>
        <translation>l&apos;invité a refusé les identifiants</translation>
    </message>
    <message>
        <source>the VM is no longer on this host</source>
        <translation>la VM n&apos;est plus sur cet hôte</translation>
    </message>
    <message>
        <source>no SSH target for this Linux guest (address, user, key or password)</source>
        <translation>aucune cible SSH pour cet invité Linux (adresse, utilisateur, clé ou mot de passe)</translation>
    </message>
    <message>
        <source>the guest&apos;s SSH host key is not trusted yet</source>
        <translation>la clé d&apos;hôte SSH de l&apos;invité n&apos;est pas encore approuvée</translation>
    </message>
    <message>
        <source>the guest&apos;s SSH host key changed</source>
        <translation>la clé d&apos;hôte SSH de l&apos;invité a changé</translation>
    </message>
    <message>
        <source>the guest could not be reached</source>
        <translation>l&apos;invité est injoignable</translation>
    </message>
    <message>
        <source>the host does not know the guest&apos;s operating system</source>
        <translation>l&apos;hôte ne connaît pas le système d&apos;exploitation de l&apos;invité</translation>
    </message>
    <message>
        <source>reading the guest failed</source>
        <translation>la lecture de l&apos;invité a échoué</translation>
    </message>
    <message>
        <source>it is {state}</source>
        <comment>VM</comment>
        <translation>elle est dans l&apos;état « {state} »</translation>
    </message>
    <message>
        <source>this guest runs {os}</source>
        <translation>cet invité exécute {os}</translation>
    </message>
    <message>
        <source>the host</source>
        <translation>l&apos;hôte</translation>
    </message>
    <message>
        <source>an older Windows</source>
        <translation>une version plus ancienne de Windows</translation>
    </message>
    <message>
        <source>{host} runs {os}</source>
        <translation>{host} exécute {os}</translation>
    </message>
    <message>
        <source>{problem}: {message}</source>
        <translation>{problem} : {message}</translation>
    </message>
    <message>
        <source>Running</source>
        <comment>Windows service</comment>
        <translation>En cours d&apos;exécution</translation>
    </message>
    <message>
        <source>Stopped</source>
        <comment>Windows service</comment>
        <translation>Arrêté</translation>
    </message>
    <message>
        <source>StartPending</source>
        <comment>Windows service</comment>
        <translation>Démarrage en cours</translation>
    </message>
    <message>
        <source>StopPending</source>
        <comment>Windows service</comment>
        <translation>Arrêt en cours</translation>
    </message>
    <message>
        <source>Paused</source>
        <comment>Windows service</comment>
        <translation>Suspendu</translation>
    </message>
    <message>
        <source>Automatic</source>
        <comment>start type</comment>
        <translation>Automatique</translation>
    </message>
    <message>
        <source>Manual</source>
        <comment>start type</comment>
        <translation>Manuel</translation>
    </message>
    <message>
        <source>Disabled</source>
        <comment>start type</comment>
        <translation>Désactivé</translation>
    </message>
    <message>
        <source>hv_utils (kernel driver)</source>
        <translation>hv_utils (pilote du noyau)</translation>
    </message>
    <message>
        <source>hv_utils loaded</source>
        <translation>hv_utils chargé</translation>
    </message>
    <message>
        <source>hv_utils not loaded</source>
        <translation>hv_utils non chargé</translation>
    </message>
    <message>
        <source>not installed</source>
        <comment>guest side</comment>
        <translation>non installé</translation>
    </message>
    <message>
        <source>running</source>
        <comment>daemon</comment>
        <translation>en cours d&apos;exécution</translation>
    </message>
    <message>
        <source>stopped (not running)</source>
        <translation>arrêté (ne s&apos;exécute pas)</translation>
    </message>
    <message>
        <source>not running</source>
        <translation>ne s&apos;exécute pas</translation>
    </message>
    <message>
        <source>start type: {start_type}</source>
        <translation>type de démarrage : {start_type}</translation>
    </message>
    <message>
        <source>{status} ({start})</source>
        <translation>{status} ({start})</translation>
    </message>
    <message>
        <source>the guest side has not been read</source>
        <translation>le côté invité n&apos;a pas été lu</translation>
    </message>
    <message>
        <source>unknown: {reason}</source>
        <translation>inconnu : {reason}</translation>
    </message>
    <message>
        <source>{label} is disabled on the host: Hyper-V does not offer it to the guest.</source>
        <translation>Le service « {label} » est désactivé sur l&apos;hôte : Hyper-V ne le propose pas à l&apos;invité.</translation>
    </message>
    <message>
        <source>{label} is enabled on the host; the guest side is unknown ({reason}).</source>
        <translation>Le service « {label} » est activé sur l&apos;hôte ; le côté invité est inconnu ({reason}).</translation>
    </message>
    <message>
        <source>{component} is also disabled in the guest: enabling it on the host will not start it.</source>
        <translation>{component} est aussi désactivé dans l&apos;invité : l&apos;activer sur l&apos;hôte ne le démarrera pas.</translation>
    </message>
    <message>
        <source>{label} works: enabled on the host and {component} runs in the guest.</source>
        <translation>Le service « {label} » fonctionne : activé sur l&apos;hôte, et {component} s&apos;exécute dans l&apos;invité.</translation>
    </message>
    <message>
        <source>{label} is enabled on the host but {component} is not installed in the guest: install the distribution&apos;s Hyper-V daemons package (hyperv-daemons, linux-cloud-tools-common).</source>
        <translation>Le service « {label} » est activé sur l&apos;hôte mais {component} n&apos;est pas installé dans l&apos;invité : installez le paquet des démons Hyper-V de la distribution (hyperv-daemons, linux-cloud-tools-common).</translation>
    </message>
    <message>
        <source>{label} is enabled on the host but {component} is not installed in the guest: update or reinstall the integration services.</source>
        <translation>Le service « {label} » est activé sur l&apos;hôte mais {component} n&apos;est pas installé dans l&apos;invité : mettez à jour ou réinstallez les services d&apos;intégration.</translation>
    </message>
    <message>
        <source>{label} is enabled on the host but {component} is stopped in the guest ({why}): Hyper-V cannot start it; set its start type to Manual in the guest, then start it.</source>
        <translation>Le service « {label} » est activé sur l&apos;hôte mais {component} est arrêté dans l&apos;invité ({why}) : Hyper-V ne peut pas le démarrer ; définissez son type de démarrage sur Manuel dans l&apos;invité, puis démarrez-le.</translation>
    </message>
    <message>
        <source>run {daemon} as root</source>
        <translation>lancez {daemon} en tant que root</translation>
    </message>
    <message>
        <source>{label} is enabled on the host but {component} is stopped in the guest ({why}): restart it ({how}).</source>
        <translation>Le service « {label} » est activé sur l&apos;hôte mais {component} est arrêté dans l&apos;invité ({why}) : redémarrez-le ({how}).</translation>
    </message>
    <message>
        <source>{label} is enabled on the host but {component} is stopped in the guest ({why}): start it (Hyper-V starts it again eventually).</source>
        <translation>Le service « {label} » est activé sur l&apos;hôte mais {component} est arrêté dans l&apos;invité ({why}) : démarrez-le (Hyper-V finit par le redémarrer).</translation>
    </message>
    <message>
        <source>Stopping a guest integration service can badly affect managing the VM from the host (shutdown, backup, heartbeat, PowerShell Direct itself). The host is the right place to turn an integration service on or off: prefer enabling or disabling it there.</source>
        <translation>L&apos;arrêt d&apos;un service d&apos;intégration dans l&apos;invité peut affecter gravement la gestion de la VM depuis l&apos;hôte (arrêt, sauvegarde, pulsation, PowerShell Direct lui-même). C&apos;est sur l&apos;hôte qu&apos;il faut activer ou désactiver un service d&apos;intégration : faites-le de préférence là.</translation>
    </message>
    <message>
        <source>set {service}&apos;s start type to {start_type}</source>
        <translation>définir le type de démarrage de {service} sur {start_type}</translation>
    </message>
    <message>
        <source>start {service}</source>
        <translation>démarrer {service}</translation>
    </message>
    <message>
        <source>stop {service}</source>
        <translation>arrêter {service}</translation>
    </message>
    <message>
        <source>restart {service}</source>
        <translation>redémarrer {service}</translation>
    </message>
    <message>
        <source>changed</source>
        <comment>guest change</comment>
        <translation>modifié</translation>
    </message>
    <message>
        <source>unchanged</source>
        <comment>guest change</comment>
        <translation>inchangé</translation>
    </message>
    <message>
        <source>error</source>
        <comment>guest change</comment>
        <translation>erreur</translation>
    </message>
    <message>
        <source>not_attempted</source>
        <comment>guest change</comment>
        <translation>non tenté</translation>
    </message>
    <message>
        <source>unknown</source>
        <comment>guest change</comment>
        <translation>résultat inconnu</translation>
    </message>
    <message>
        <source>stopped</source>
        <comment>daemon</comment>
        <translation>arrêté</translation>
    </message>
    <message>
        <source>Inside the guest:</source>
        <translation>Dans l&apos;invité :</translation>
    </message>
    <message>
        <source>not read: no guest access given (Guest access…)</source>
        <translation>non lu : aucun accès à l&apos;invité fourni (Accès à l&apos;invité…)</translation>
    </message>
    <message>
        <source>not read yet</source>
        <translation>pas encore lu</translation>
    </message>
    <message>
        <source>Windows, read through PowerShell Direct · IntegrationServicesVersion {version}</source>
        <translation>Windows, lu par PowerShell Direct · IntegrationServicesVersion {version}</translation>
    </message>
    <message>
        <source>not in the registry</source>
        <translation>absent du Registre</translation>
    </message>
    <message>
        <source>{family}, read over SSH · hv_utils {state} · {daemons}</source>
        <translation>{family}, lu par SSH · hv_utils {state} · {daemons}</translation>
    </message>
    <message>
        <source>loaded</source>
        <comment>hv_utils</comment>
        <translation>chargé</translation>
    </message>
    <message>
        <source>NOT loaded</source>
        <comment>hv_utils</comment>
        <translation>NON chargé</translation>
    </message>
    <message>
        <source>Inside the guest: {component} {guest}: {state}</source>
        <translation>Dans l&apos;invité : {component} {guest} : {state}</translation>
    </message>
    <message>
        <source>inside the guest: {state}</source>
        <translation>dans l&apos;invité : {state}</translation>
    </message>
    <message>
        <source>Guest access: {vm}</source>
        <translation>Accès à l&apos;invité : {vm}</translation>
    </message>
    <message>
        <source>Windows (PowerShell Direct through the host)</source>
        <translation>Windows (PowerShell Direct par l&apos;hôte)</translation>
    </message>
    <message>
        <source>Linux (SSH to the guest)</source>
        <translation>Linux (SSH vers l&apos;invité)</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Administrateur</translation>
    </message>
    <message>
        <source>Remember in the system keyring</source>
        <translation>Mémoriser dans le trousseau du système</translation>
    </message>
    <message>
        <source>No secure password store here: kept for this session only</source>
        <translation>Pas de coffre sécurisé ici : conservé pour cette session seulement</translation>
    </message>
    <message>
        <source>Guest</source>
        <translation>Invité</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilisateur</translation>
    </message>
    <message>
        <source>SSH address</source>
        <translation>Adresse SSH</translation>
    </message>
    <message>
        <source>SSH port</source>
        <translation>Port SSH</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Mot de passe</translation>
    </message>
    <message>
        <source>Windows: the guest&apos;s administrator; the password travels only inside the encrypted WinRM channel to the host, which hands it to the guest (PowerShell Direct: host and guest Windows Server 2016 / Windows 10 or later, VM running). Linux: the SSH login; its password is also used for sudo, on stdin. The guest&apos;s SSH host key is checked before anything is sent.</source>
        <translation>Windows : l&apos;administrateur de l&apos;invité ; le mot de passe ne circule que dans le canal WinRM chiffré vers l&apos;hôte, qui le remet à l&apos;invité (PowerShell Direct : hôte et invité Windows Server 2016 / Windows 10 ou ultérieur, VM en fonctionnement). Linux : l&apos;identifiant SSH ; son mot de passe sert aussi pour sudo, sur stdin. La clé d&apos;hôte SSH de l&apos;invité est vérifiée avant tout envoi.</translation>
    </message>
    <message>
        <source>Change a service inside {vm}</source>
        <translation>Modifier un service dans {vm}</translation>
    </message>
    <message>
        <source>{daemon}: {state}</source>
        <translation>{daemon} : {state}</translation>
    </message>
    <message>
        <source>{name}: {status} (start type: {start_type})</source>
        <translation>{name} : {status} (type de démarrage : {start_type})</translation>
    </message>
    <message>
        <source>Start</source>
        <comment>guest service</comment>
        <translation>Démarrer</translation>
    </message>
    <message>
        <source>Stop</source>
        <comment>guest service</comment>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>Restart</source>
        <comment>guest service</comment>
        <translation>Redémarrer</translation>
    </message>
    <message>
        <source>Set start type</source>
        <translation>Définir le type de démarrage</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Start type</source>
        <translation>Type de démarrage</translation>
    </message>
    <message>
        <source>&lt;b&gt;Warning:&lt;/b&gt; {warning}</source>
        <translation>&lt;b&gt;Attention :&lt;/b&gt; {warning}</translation>
    </message>
    <message>
        <source>through the host (PowerShell Direct)</source>
        <translation>par l&apos;hôte (PowerShell Direct)</translation>
    </message>
    <message>
        <source>over SSH (sudo)</source>
        <translation>par SSH (sudo)</translation>
    </message>
    <message>
        <source>Plan: {action} inside {vm}, {how}. Audited like host changes.</source>
        <translation>Plan : {action} dans {vm}, {how}. Audité comme les modifications sur les hôtes.</translation>
    </message>
    <message>
        <source>Read guest side</source>
        <translation>Lire côté invité</translation>
    </message>
    <message>
        <source>Read inside this VM: Windows services through PowerShell Direct, Linux daemons over SSH</source>
        <translation>Lire dans cette VM : services Windows par PowerShell Direct, démons Linux par SSH</translation>
    </message>
    <message>
        <source>Guest access…</source>
        <translation>Accès à l&apos;invité…</translation>
    </message>
    <message>
        <source>How hvgui reaches this guest: its administrator (Windows) or SSH login (Linux); the password is kept like host passwords</source>
        <translation>Comment hvgui atteint cet invité : son administrateur (Windows) ou l&apos;identifiant SSH (Linux) ; le mot de passe est conservé comme ceux des hôtes</translation>
    </message>
    <message>
        <source>Change inside the guest…</source>
        <translation>Modifier dans l&apos;invité…</translation>
    </message>
    <message>
        <source>Start, stop or restart a guest service or daemon, or set its start type (read-only mode: disabled)</source>
        <translation>Démarrer, arrêter ou redémarrer un service ou démon de l&apos;invité, ou définir son type de démarrage (mode lecture seule : désactivé)</translation>
    </message>
    <message>
        <source>Start, stop or restart a guest service or daemon, or set its start type</source>
        <translation>Démarrer, arrêter ou redémarrer un service ou démon de l&apos;invité, ou définir son type de démarrage</translation>
    </message>
    <message>
        <source>Reading inside {vm}…</source>
        <translation>Lecture dans {vm}…</translation>
    </message>
    <message>
        <source>Guest side of {vm} read.</source>
        <translation>Côté invité de {vm} lu.</translation>
    </message>
    <message>
        <source>Guest side of {vm} unknown: {reason}</source>
        <translation>Côté invité de {vm} inconnu : {reason}</translation>
    </message>
    <message>
        <source>Trust this SSH host key?</source>
        <translation>Faire confiance à cette clé d&apos;hôte SSH ?</translation>
    </message>
    <message>
        <source>{vm} ({address}) presents the SSH host key

{fingerprint}

Compare it with the guest&apos;s own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before trusting it.</source>
        <translation>{vm} ({address}) présente la clé d&apos;hôte SSH

{fingerprint}

Comparez-la avec celle de l&apos;invité (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) avant de lui faire confiance.</translation>
    </message>
    <message>
        <source>{action} inside {vm}…</source>
        <translation>{action} dans {vm}…</translation>
    </message>
    <message>
        <source>{action}: {outcome}</source>
        <translation>{action} : {outcome}</translation>
    </message>
    <message>
        <source>nothing done</source>
        <translation>rien de fait</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>(any)</source>
        <translation>(tous)</translation>
    </message>
    <message>
        <source>Change history</source>
        <translation>Historique des modifications</translation>
    </message>
    <message>
        <source>{name} filter</source>
        <translation>Filtre {name}</translation>
    </message>
    <message>
        <source>VM name or Id</source>
        <translation>Nom ou Id de VM</translation>
    </message>
    <message>
        <source>VM filter</source>
        <translation>Filtre de VM</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>Date de début</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>Date de fin</translation>
    </message>
    <message>
        <source>Reading the audit log…</source>
        <translation>Lecture du journal d&apos;audit…</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Recharger</translation>
    </message>
    <message>
        <source>Host settings</source>
        <translation>Paramètres de l&apos;hôte</translation>
    </message>
    <message>
        <source>Name resolves</source>
        <translation>Résolution du nom</translation>
    </message>
    <message>
        <source>Port answers</source>
        <translation>Réponse du port</translation>
    </message>
    <message>
        <source>TLS certificate</source>
        <translation>Certificat TLS</translation>
    </message>
    <message>
        <source>Logon (authentication)</source>
        <translation>Ouverture de session (authentification)</translation>
    </message>
    <message>
        <source>Administrator rights (WinRM)</source>
        <translation>Droits d&apos;administrateur (WinRM)</translation>
    </message>
    <message>
        <source>Windows PowerShell 3.0 or later</source>
        <translation>Windows PowerShell 3.0 ou ultérieur</translation>
    </message>
    <message>
        <source>Hyper-V PowerShell module</source>
        <translation>Module Hyper-V pour Windows PowerShell</translation>
    </message>
    <message>
        <source>Hyper-V rights</source>
        <translation>Droits Hyper-V</translation>
    </message>
    <message>
        <source>Read-only inventory</source>
        <translation>Inventaire en lecture seule</translation>
    </message>
    <message>
        <source>passed</source>
        <comment>check step</comment>
        <translation>réussi</translation>
    </message>
    <message>
        <source>failed</source>
        <comment>check step</comment>
        <translation>échec</translation>
    </message>
    <message>
        <source>skipped</source>
        <comment>check step</comment>
        <translation>sans objet</translation>
    </message>
    <message>
        <source>not checked</source>
        <comment>check step</comment>
        <translation>non vérifié</translation>
    </message>
    <message>
        <source>{mark} {step}: {status}</source>
        <translation>{mark} {step} : {status}</translation>
    </message>
    <message>
        <source>Fix: {fix}</source>
        <translation>Pour corriger : {fix}</translation>
    </message>
    <message>
        <source>Check {host}</source>
        <translation>Vérifier {host}</translation>
    </message>
    <message>
        <source>Checking {host} ({url})…</source>
        <translation>Vérification de {host} ({url})…</translation>
    </message>
    <message>
        <source>Checks of {host}</source>
        <translation>Vérifications de {host}</translation>
    </message>
    <message>
        <source>Copy as JSON</source>
        <translation>Copier en JSON</translation>
    </message>
    <message>
        <source>The report for a ticket or a bug report (it holds no password)</source>
        <translation>Le rapport, pour un ticket ou un rapport de bogue (il ne contient aucun mot de passe)</translation>
    </message>
    <message>
        <source>Look at the certificate…</source>
        <translation>Examiner le certificat…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>The checks stopped: {error}</source>
        <translation>Les vérifications se sont arrêtées : {error}</translation>
    </message>
    <message>
        <source>{host}: every check passed.</source>
        <translation>{host} : toutes les vérifications ont réussi.</translation>
    </message>
    <message>
        <source>{host}: “{step}” failed — {detail}</source>
        <translation>{host} : échec de « {step} » — {detail}</translation>
    </message>
    <message>
        <source>Changes applied</source>
        <translation>Modifications appliquées</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>Hôte :</translation>
    </message>
    <message>
        <source>VM:</source>
        <translation>VM :</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>Du :</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>Au :</translation>
    </message>
    <message>
        <source>{name}
VM Id: {id}</source>
        <translation>{name}
Id de la VM : {id}</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s)</source>
        <translation>
            <numerusform>%n modification</numerusform>
            <numerusform>%n modifications</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{shown} of %n change(s)</source>
        <translation>
            <numerusform>{shown} sur %n modification</numerusform>
            <numerusform>{shown} sur %n modifications</numerusform>
        </translation>
    </message>
    <message>
        <source>No change has been applied from this computer yet.</source>
        <translation>Aucune modification n&apos;a encore été appliquée depuis cet ordinateur.</translation>
    </message>
    <message numerus="yes">
        <source>(%n line(s) of the log could not be read and is|are skipped)</source>
        <translation>
            <numerusform>(%n ligne du journal illisible est ignorée)</numerusform>
            <numerusform>(%n lignes du journal illisibles sont ignorées)</numerusform>
        </translation>
    </message>
    <message>
        <source>Everything</source>
        <translation>Tout</translation>
    </message>
    <message>
        <source>Failures</source>
        <translation>Échecs</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>Modifications</translation>
    </message>
    <message>
        <source>This host</source>
        <translation>Cet hôte</translation>
    </message>
    <message>
        <source>Activity: remote operations</source>
        <translation>Activité : opérations à distance</translation>
    </message>
    <message>
        <source>Activity</source>
        <translation>Activité</translation>
    </message>
    <message>
        <source>Show or fold the activity panel (View &gt; Activity panel)</source>
        <translation>Afficher ou replier le panneau d&apos;activité (Affichage &gt; Panneau d&apos;activité)</translation>
    </message>
    <message>
        <source>Activity panel</source>
        <translation>Panneau d&apos;activité</translation>
    </message>
    <message>
        <source>Activity filter</source>
        <translation>Filtre de l&apos;activité</translation>
    </message>
    <message>
        <source>Show every operation, only failures, only changes, or only the current host&apos;s</source>
        <translation>Afficher toutes les opérations, seulement les échecs, seulement les modifications, ou seulement celles de l&apos;hôte courant</translation>
    </message>
    <message>
        <source>Show script…</source>
        <translation>Voir le script…</translation>
    </message>
    <message>
        <source>The exact PowerShell sent and its request, decoded</source>
        <translation>Le PowerShell exact envoyé et sa requête, décodée</translation>
    </message>
    <message numerus="yes">
        <source>%n operation(s)</source>
        <translation>
            <numerusform>%n opération</numerusform>
            <numerusform>%n opérations</numerusform>
        </translation>
    </message>
    <message>
        <source>{n} failed</source>
        <translation>{n} en échec</translation>
    </message>
    <message>
        <source>Details of the current VM</source>
        <translation>Détails de la VM courante</translation>
    </message>
    <message>
        <source>Copy report</source>
        <translation>Copier le rapport</translation>
    </message>
    <message>
        <source>Put a readable text summary of this VM (or of every selected VM) on the clipboard (Ctrl+Shift+C)</source>
        <translation>Copier dans le presse-papiers un résumé lisible de cette VM (ou de chaque VM sélectionnée) (Ctrl+Maj+C)</translation>
    </message>
    <message>
        <source>Select a VM to see its integration services in plain words.</source>
        <translation>Sélectionnez une VM pour voir ses services d&apos;intégration expliqués simplement.</translation>
    </message>
    <message>
        <source>What to check:</source>
        <translation>À vérifier :</translation>
    </message>
    <message>
        <source>Pending:</source>
        <translation>En attente :</translation>
    </message>
    <message>
        <source>Host says: {words}</source>
        <translation>L&apos;hôte indique : {words}</translation>
    </message>
    <message>
        <source>Pending (kept):</source>
        <translation>En attente (conservée) :</translation>
    </message>
    <message>
        <source>Integration services could not be read on the host:</source>
        <translation>Les services d&apos;intégration n&apos;ont pas pu être lus sur l&apos;hôte :</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Hôte</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Integration services</source>
        <translation>Services d&apos;intégration</translation>
    </message>
    <message>
        <source>version unknown</source>
        <translation>version inconnue</translation>
    </message>
    <message>
        <source>Guest OS</source>
        <translation>Système invité</translation>
    </message>
    <message>
        <source>Setup disk</source>
        <translation>Disque d&apos;installation</translation>
    </message>
    <message>
        <source>Read at</source>
        <translation>Lu à</translation>
    </message>
    <message>
        <source>VM Id</source>
        <translation>Id de la VM</translation>
    </message>
    <message>
        <source>Inside the guest</source>
        <translation>Dans l&apos;invité</translation>
    </message>
    <message>
        <source>Updates:</source>
        <translation>Mises à jour :</translation>
    </message>
    <message>
        <source>Needs attention:</source>
        <translation>À surveiller :</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Afficher</translation>
    </message>
    <message>
        <source>Hosts that failed</source>
        <translation>Hôtes en échec</translation>
    </message>
    <message>
        <source>Selected hosts that failed</source>
        <translation>Hôtes sélectionnés en échec</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more host(s) that failed (see the tree&apos;s tooltips)</source>
        <translation>
            <numerusform>… et %n autre hôte en échec (voir les info-bulles de l&apos;arborescence)</numerusform>
            <numerusform>… et %n autres hôtes en échec (voir les info-bulles de l&apos;arborescence)</numerusform>
        </translation>
    </message>
    <message>
        <source>{host} could not be read</source>
        <translation>{host} n&apos;a pas pu être lu</translation>
    </message>
    <message>
        <source>The grid shows what it said at {time}.</source>
        <translation>La grille montre ce qu&apos;il indiquait à {time}.</translation>
    </message>
    <message>
        <source>Host: {host}</source>
        <translation>Hôte : {host}</translation>
    </message>
    <message>
        <source>Address: {url}</source>
        <translation>Adresse : {url}</translation>
    </message>
    <message>
        <source>Timeout: {seconds} s</source>
        <translation>Délai : {seconds} s</translation>
    </message>
    <message>
        <source>CA file: {path}</source>
        <translation>Fichier de l&apos;AC : {path}</translation>
    </message>
    <message numerus="yes">
        <source>%n failed read(s) in a row</source>
        <translation>
            <numerusform>%n lecture en échec d&apos;affilée</numerusform>
            <numerusform>%n lectures en échec d&apos;affilée</numerusform>
        </translation>
    </message>
    <message>
        <source>Last good read: </source>
        <translation>Dernière lecture réussie : </translation>
    </message>
    <message>
        <source>No error: the last read worked.</source>
        <translation>Aucune erreur : la dernière lecture a réussi.</translation>
    </message>
    <message>
        <source>Details:</source>
        <translation>Détails :</translation>
    </message>
    <message>
        <source>Certificate presented (SHA-256): {fingerprint}</source>
        <translation>Certificat présenté (SHA-256) : {fingerprint}</translation>
    </message>
    <message>
        <source>Last operations on this host:</source>
        <translation>Dernières opérations sur cet hôte :</translation>
    </message>
    <message>
        <source>Diagnose {host}</source>
        <translation>Diagnostiquer {host}</translation>
    </message>
    <message>
        <source>Diagnosis of {host}</source>
        <translation>Diagnostic de {host}</translation>
    </message>
    <message>
        <source>Check step by step…</source>
        <translation>Vérifier étape par étape…</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Réessayer</translation>
    </message>
    <message>
        <source>Edit host…</source>
        <translation>Modifier l&apos;hôte…</translation>
    </message>
    <message>
        <source>Diagnose…</source>
        <translation>Diagnostiquer…</translation>
    </message>
    <message>
        <source>Problems only</source>
        <translation>Problèmes seulement</translation>
    </message>
    <message>
        <source>VMs with a service that is not answering, degraded or in error, integration services that need an update, or changes that failed (Alt+P)</source>
        <translation>VM dont un service ne répond pas, est dégradé ou en erreur, dont les services d&apos;intégration doivent être mis à jour, ou dont une modification a échoué (Alt+P)</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>À surveiller</translation>
    </message>
    <message>
        <source>VMs whose integration services need an update, whose guest OS is not supported on its host, or whose updates are blocked by a disabled Data Exchange (or a pending change disabling it) (Alt+N)</source>
        <translation>VM dont les services d&apos;intégration doivent être mis à jour, dont le système invité n&apos;est pas pris en charge par son hôte, ou dont les mises à jour sont bloquées par un Échange de données désactivé (ou une modification en attente qui le désactive) (Alt+N)</translation>
    </message>
    <message>
        <source>All hosts</source>
        <translation>Tous les hôtes</translation>
    </message>
    <message>
        <source>Any VM state</source>
        <translation>Tout état de VM</translation>
    </message>
    <message>
        <source>Any version state</source>
        <translation>Tout état de version</translation>
    </message>
    <message>
        <source>Any service status</source>
        <translation>Tout statut de service</translation>
    </message>
    <message>
        <source>Only the VMs of this host</source>
        <translation>Seulement les VM de cet hôte</translation>
    </message>
    <message>
        <source>Only VMs in this state</source>
        <translation>Seulement les VM dans cet état</translation>
    </message>
    <message>
        <source>Integration services version state, as the host reports it</source>
        <translation>État de la version des services d&apos;intégration, tel que l&apos;hôte l&apos;indique</translation>
    </message>
    <message>
        <source>Only VMs with at least one service in this state</source>
        <translation>Seulement les VM dont au moins un service est dans cet état</translation>
    </message>
    <message>
        <source>Host filter</source>
        <translation>Filtre par hôte</translation>
    </message>
    <message>
        <source>VM state filter</source>
        <translation>Filtre par état de VM</translation>
    </message>
    <message>
        <source>Integration services state filter</source>
        <translation>Filtre par état des services d&apos;intégration</translation>
    </message>
    <message>
        <source>Service status filter</source>
        <translation>Filtre par statut de service</translation>
    </message>
    <message>
        <source>VMs shown</source>
        <translation>VM affichées</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Effacer les filtres</translation>
    </message>
    <message numerus="yes">
        <source>%n VM(s)</source>
        <translation>
            <numerusform>%n VM</numerusform>
            <numerusform>%n VM</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{shown} of %n VM(s)</source>
        <translation>
            <numerusform>{shown} sur %n VM</numerusform>
            <numerusform>{shown} sur %n VM</numerusform>
        </translation>
    </message>
    <message>
        <source>No Contact</source>
        <translation>Aucun contact</translation>
    </message>
    <message>
        <source>Integration services of the VMs in view</source>
        <translation>Services d&apos;intégration des VM affichées</translation>
    </message>
    <message>
        <source>{host} failed</source>
        <translation>{host} en échec</translation>
    </message>
    <message numerus="yes">
        <source>%n host(s) failed:</source>
        <translation>
            <numerusform>%n hôte en échec :</numerusform>
            <numerusform>%n hôtes en échec :</numerusform>
        </translation>
    </message>
    <message>
        <source>No hosts configured. Use File &gt; Add host…, or try hvgui --demo.</source>
        <translation>Aucun hôte configuré. Utilisez Fichier &gt; Ajouter un hôte…, ou essayez hvgui --demo.</translation>
    </message>
    <message>
        <source>Reading the hosts…</source>
        <translation>Lecture des hôtes…</translation>
    </message>
    <message>
        <source>{hosts} could not be read, so there are no VMs to show: see above for why, and what to do.</source>
        <translation>{hosts} n&apos;a pas pu être lu, il n&apos;y a donc aucune VM à afficher : voyez plus haut pourquoi, et que faire.</translation>
    </message>
    <message>
        <source>No VMs on the selected hosts.</source>
        <translation>Aucune VM sur les hôtes sélectionnés.</translation>
    </message>
    <message>
        <source>has a problem</source>
        <translation>a un problème</translation>
    </message>
    <message>
        <source>needs attention (integration services updates)</source>
        <translation>est à surveiller (mises à jour des services d&apos;intégration)</translation>
    </message>
    <message>
        <source>on {host}</source>
        <translation>sur {host}</translation>
    </message>
    <message>
        <source>in the state {state}</source>
        <translation>dans l&apos;état {state}</translation>
    </message>
    <message>
        <source>with integration services: {state}</source>
        <translation>avec des services d&apos;intégration : {state}</translation>
    </message>
    <message>
        <source>with a service: {status}</source>
        <translation>avec un service : {status}</translation>
    </message>
    <message>
        <source> and </source>
        <translation> et </translation>
    </message>
    <message>
        <source>No VM matches &apos;{text}&apos;</source>
        <translation>Aucune VM ne correspond à « {text} »</translation>
    </message>
    <message>
        <source>No VM {conditions}</source>
        <translation>Aucune VM {conditions}</translation>
    </message>
    <message>
        <source>No VM to show</source>
        <translation>Aucune VM à afficher</translation>
    </message>
    <message>
        <source> The filter box searches VM names; {hosts} is a host: select it in the tree to see its VMs.</source>
        <translation> La zone de filtre cherche dans les noms de VM ; {hosts} est un hôte : sélectionnez-le dans l&apos;arborescence pour voir ses VM.</translation>
    </message>
    <message>
        <source> The filter box searches VM names; {hosts} are hosts: select them in the tree to see their VMs.</source>
        <translation> La zone de filtre cherche dans les noms de VM ; {hosts} sont des hôtes : sélectionnez-les dans l&apos;arborescence pour voir leurs VM.</translation>
    </message>
    <message>
        <source> Clear filters shows every VM in scope again.</source>
        <translation> Effacer les filtres affiche de nouveau toutes les VM de la sélection.</translation>
    </message>
    <message numerus="yes">
        <source>{head} (of %n VM(s) in scope).{tail}</source>
        <translation>
            <numerusform>{head} (sur %n VM dans la sélection).{tail}</numerusform>
            <numerusform>{head} (sur %n VM dans la sélection).{tail}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Enable {service} for the|all %n VM(s) in view</source>
        <translation>
            <numerusform>Activer {service} pour la VM affichée</numerusform>
            <numerusform>Activer {service} pour les %n VM affichées</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Disable {service} for the|all %n VM(s) in view</source>
        <translation>
            <numerusform>Désactiver {service} pour la VM affichée</numerusform>
            <numerusform>Désactiver {service} pour les %n VM affichées</numerusform>
        </translation>
    </message>
    <message>
        <source>Reset to default for all VMs in view</source>
        <translation>Rétablir la valeur par défaut pour toutes les VM affichées</translation>
    </message>
    <message>
        <source>Revert this column</source>
        <translation>Annuler les modifications de cette colonne</translation>
    </message>
    <message>
        <source>Read-only mode: nothing can be changed (Settings &gt; Read-only mode)</source>
        <translation>Mode lecture seule : rien ne peut être modifié (Paramètres &gt; Mode lecture seule)</translation>
    </message>
    <message>
        <source>working</source>
        <translation>fonctionne</translation>
    </message>
    <message>
        <source>no status</source>
        <translation>sans statut</translation>
    </message>
    <message>
        <source>not offered</source>
        <translation>non proposé</translation>
    </message>
    <message>
        <source>Enter password…</source>
        <translation>Saisir le mot de passe…</translation>
    </message>
    <message>
        <source>Trust this certificate…</source>
        <translation>Faire confiance à ce certificat…</translation>
    </message>
    <message>
        <source>Check the new certificate…</source>
        <translation>Vérifier le nouveau certificat…</translation>
    </message>
    <message>
        <source>Enter the password for this host.</source>
        <translation>Saisissez le mot de passe de cet hôte.</translation>
    </message>
    <message>
        <source>Select a host to edit</source>
        <translation>Sélectionnez un hôte à modifier</translation>
    </message>
    <message>
        <source>Select a host to remove</source>
        <translation>Sélectionnez un hôte à retirer</translation>
    </message>
    <message>
        <source>Filter VMs by name (Ctrl+F)</source>
        <translation>Filtrer les VM par nom (Ctrl+F)</translation>
    </message>
    <message>
        <source>Clear filter</source>
        <translation>Effacer le filtre</translation>
    </message>
    <message>
        <source>Clear selection</source>
        <translation>Effacer la sélection</translation>
    </message>
    <message>
        <source>888 hosts connected, 888 failed, 888 connecting</source>
        <translation>888 hôtes connectés, 888 en échec, 888 en connexion</translation>
    </message>
    <message>
        <source>  Pending changes: 88888 (88888 failed)  </source>
        <translation>  Modifications en attente : 88888 (88888 en échec)  </translation>
    </message>
    <message>
        <source>Last refresh: 88:88:88</source>
        <translation>Dernière actualisation : 88:88:88</translation>
    </message>
    <message numerus="yes">
        <source>%n host(s) connected</source>
        <translation>
            <numerusform>%n hôte connecté</numerusform>
            <numerusform>%n hôtes connectés</numerusform>
        </translation>
    </message>
    <message>
        <source>{n} connecting</source>
        <translation>{n} en connexion</translation>
    </message>
    <message>
        <source>{n} outcome unknown</source>
        <translation>{n} au résultat inconnu</translation>
    </message>
    <message>
        <source>Pending changes: &lt;b&gt;{n}&lt;/b&gt;</source>
        <translation>Modifications en attente : &lt;b&gt;{n}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Last refresh: </source>
        <translation>Dernière actualisation : </translation>
    </message>
    <message>
        <source>Hyper-V integration services</source>
        <translation>Services d&apos;intégration Hyper-V</translation>
    </message>
    <message>
        <source>{file} could not be read: it is kept as it is, and hosts you add now are not saved.</source>
        <translation>{file} n&apos;a pas pu être lu : il est conservé tel quel, et les hôtes ajoutés maintenant ne sont pas enregistrés.</translation>
    </message>
    <message numerus="yes">
        <source>Report of %n VM(s) copied to the clipboard</source>
        <translation>
            <numerusform>Rapport de %n VM copié dans le presse-papiers</numerusform>
            <numerusform>Rapport de %n VM copié dans le presse-papiers</numerusform>
        </translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualiser</translation>
    </message>
    <message>
        <source>Read every host again (F5)</source>
        <translation>Relire tous les hôtes (F5)</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Appliquer</translation>
    </message>
    <message>
        <source>Preview and apply the pending changes (Ctrl+S)</source>
        <translation>Vérifier puis appliquer les modifications en attente (Ctrl+S)</translation>
    </message>
    <message>
        <source>Revert all</source>
        <translation>Tout annuler</translation>
    </message>
    <message>
        <source>Drop every pending change</source>
        <translation>Abandonner toutes les modifications en attente</translation>
    </message>
    <message>
        <source>Retry failed</source>
        <translation>Réessayer les échecs</translation>
    </message>
    <message>
        <source>Apply again the changes that failed</source>
        <translation>Appliquer de nouveau les modifications qui ont échoué</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Undo the last edit of the pending changes (Ctrl+Z)</source>
        <translation>Annuler la dernière retouche des modifications en attente (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Rétablir</translation>
    </message>
    <message>
        <source>Redo the edit just undone (Ctrl+Y)</source>
        <translation>Rétablir la retouche qui vient d&apos;être annulée (Ctrl+Y)</translation>
    </message>
    <message>
        <source>Find VM</source>
        <translation>Rechercher une VM</translation>
    </message>
    <message>
        <source>Only the VMs that need a look (Alt+P)</source>
        <translation>Seulement les VM à examiner (Alt+P)</translation>
    </message>
    <message>
        <source>Only the VMs whose integration services need an update, whose guest OS is not supported on its host, or whose updates are blocked by a disabled Data Exchange (Alt+N)</source>
        <translation>Seulement les VM dont les services d&apos;intégration doivent être mis à jour, dont le système invité n&apos;est pas pris en charge par son hôte, ou dont les mises à jour sont bloquées par un Échange de données désactivé (Alt+N)</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>Activer</translation>
    </message>
    <message>
        <source>Enable the selected services</source>
        <translation>Activer les services sélectionnés</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Désactiver</translation>
    </message>
    <message>
        <source>Disable the selected services</source>
        <translation>Désactiver les services sélectionnés</translation>
    </message>
    <message>
        <source>Reset to default</source>
        <translation>Rétablir la valeur par défaut</translation>
    </message>
    <message>
        <source>Default: everything on except Guest services</source>
        <translation>Par défaut : tout activé sauf les Services d&apos;invité</translation>
    </message>
    <message>
        <source>Revert selected</source>
        <translation>Annuler la sélection</translation>
    </message>
    <message>
        <source>Drop the pending changes of the selected cells</source>
        <translation>Abandonner les modifications en attente des cellules sélectionnées</translation>
    </message>
    <message>
        <source>Enable this column for all VMs in view</source>
        <translation>Activer cette colonne pour toutes les VM affichées</translation>
    </message>
    <message>
        <source>Enable the current cell&apos;s service for every VM in the grid</source>
        <translation>Activer le service de la cellule courante pour chaque VM de la grille</translation>
    </message>
    <message>
        <source>Disable this column for all VMs in view</source>
        <translation>Désactiver cette colonne pour toutes les VM affichées</translation>
    </message>
    <message>
        <source>Disable the current cell&apos;s service for every VM in the grid</source>
        <translation>Désactiver le service de la cellule courante pour chaque VM de la grille</translation>
    </message>
    <message>
        <source>Drop the pending changes in the current cell&apos;s column</source>
        <translation>Abandonner les modifications en attente de la colonne de la cellule courante</translation>
    </message>
    <message>
        <source>Insert Integration Services setup disk…</source>
        <translation>Insérer le disque d&apos;installation des services d&apos;intégration…</translation>
    </message>
    <message>
        <source>Insert vmguest.iso into the selected VMs&apos; DVD drives (hosts older than Windows Server 2016), after a preview</source>
        <translation>Insérer vmguest.iso dans les lecteurs de DVD des VM sélectionnées (hôtes antérieurs à Windows Server 2016), après un aperçu</translation>
    </message>
    <message>
        <source>Copy a text report of the current VM, or of every selected VM</source>
        <translation>Copier un rapport texte de la VM courante, ou de chaque VM sélectionnée</translation>
    </message>
    <message>
        <source>Export VMs in view…</source>
        <translation>Exporter les VM affichées…</translation>
    </message>
    <message>
        <source>Save the VMs the grid shows to a CSV file (Ctrl+E)</source>
        <translation>Enregistrer les VM de la grille dans un fichier CSV (Ctrl+E)</translation>
    </message>
    <message>
        <source>Change history…</source>
        <translation>Historique des modifications…</translation>
    </message>
    <message>
        <source>Every change applied from this computer, from the audit log (Ctrl+H)</source>
        <translation>Chaque modification appliquée depuis cet ordinateur, d&apos;après le journal d&apos;audit (Ctrl+H)</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quitter</translation>
    </message>
    <message>
        <source>Add host…</source>
        <translation>Ajouter un hôte…</translation>
    </message>
    <message>
        <source>Add a Hyper-V host</source>
        <translation>Ajouter un hôte Hyper-V</translation>
    </message>
    <message>
        <source>Change the selected host&apos;s address, login or certificate</source>
        <translation>Modifier l&apos;adresse, l&apos;identifiant ou le certificat de l&apos;hôte sélectionné</translation>
    </message>
    <message>
        <source>Remove host</source>
        <translation>Retirer l&apos;hôte</translation>
    </message>
    <message>
        <source>Remove the selected host from the list</source>
        <translation>Retirer l&apos;hôte sélectionné de la liste</translation>
    </message>
    <message>
        <source>Show or fold the activity panel (Ctrl+J)</source>
        <translation>Afficher ou replier le panneau d&apos;activité (Ctrl+J)</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>Guide de l&apos;utilisateur</translation>
    </message>
    <message>
        <source>The README (F1)</source>
        <translation>Le README (F1)</translation>
    </message>
    <message>
        <source>Space</source>
        <extracomment>Keys that are not menu actions.</extracomment>
        <translation>Espace</translation>
    </message>
    <message>
        <source>Tick or untick the selected cells (all on if any is off)</source>
        <translation>Cocher ou décocher les cellules sélectionnées (toutes activées si l&apos;une est désactivée)</translation>
    </message>
    <message>
        <source>Arrows, Shift+arrows</source>
        <translation>Flèches, Maj+flèches</translation>
    </message>
    <message>
        <source>Move in the grid; extend the selection</source>
        <translation>Se déplacer dans la grille ; étendre la sélection</translation>
    </message>
    <message>
        <source>Clear the selection (in the grid or the tree); clear the filter box</source>
        <translation>Effacer la sélection (dans la grille ou l&apos;arborescence) ; vider la zone de filtre</translation>
    </message>
    <message>
        <source>Tab, Shift+Tab</source>
        <translation>Tab, Maj+Tab</translation>
    </message>
    <message>
        <source>Next and previous pane</source>
        <translation>Volet suivant et précédent</translation>
    </message>
    <message>
        <source>Menu key, Shift+F10</source>
        <translation>Touche Menu, Maj+F10</translation>
    </message>
    <message>
        <source>Context menu of the selected cells or host</source>
        <translation>Menu contextuel des cellules ou de l&apos;hôte sélectionnés</translation>
    </message>
    <message>
        <source>Apply, in the plan (Enter alone does not apply)</source>
        <translation>Appliquer, dans le plan (Entrée seule n&apos;applique pas)</translation>
    </message>
    <message>
        <source>hvgui user guide</source>
        <translation>Guide de l&apos;utilisateur de hvgui</translation>
    </message>
    <message>
        <source>The README could not be found in this installation.</source>
        <translation>Le README est introuvable dans cette installation.</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Raccourcis clavier</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Touches</translation>
    </message>
    <message>
        <source>Does</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>not installed</source>
        <translation>non installé</translation>
    </message>
    <message>
        <source>See and change the Hyper-V integration services of many VMs on many hosts over WinRM.</source>
        <translation>Voir et modifier les services d&apos;intégration Hyper-V de nombreuses VM sur de nombreux hôtes, par WinRM.</translation>
    </message>
    <message>
        <source>Every key the window understands</source>
        <translation>Toutes les touches que la fenêtre comprend</translation>
    </message>
    <message>
        <source>About hvgui</source>
        <translation>À propos de hvgui</translation>
    </message>
    <message>
        <source>Read-only mode</source>
        <translation>Mode lecture seule</translation>
    </message>
    <message>
        <source>Nothing can be ticked or applied (helpdesk)</source>
        <translation>Rien ne peut être coché ni appliqué (support)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Principale</translation>
    </message>
    <message>
        <source>  Read-only mode: nothing can be changed  </source>
        <translation>  Mode lecture seule : rien ne peut être modifié  </translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>Open audit log folder</source>
        <translation>Ouvrir le dossier du journal d&apos;audit</translation>
    </message>
    <message>
        <source>Every change applied, one JSON line each: {path}</source>
        <translation>Chaque modification appliquée, une ligne JSON chacune : {path}</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Édition</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Paramètres</translation>
    </message>
    <message>
        <source>Auto-refresh</source>
        <translation>Actualisation automatique</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Désactivé</translation>
    </message>
    <message>
        <source>Every {n} s</source>
        <translation>Toutes les {n} s</translation>
    </message>
    <message>
        <source>Every {n} min</source>
        <translation>Toutes les {n} min</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>Audit log folder: {path}</source>
        <translation>Dossier du journal d&apos;audit : {path}</translation>
    </message>
    <message>
        <source>No pending changes</source>
        <translation>Aucune modification en attente</translation>
    </message>
    <message>
        <source>Revert all pending changes?</source>
        <translation>Annuler toutes les modifications en attente ?</translation>
    </message>
    <message numerus="yes">
        <source>%n pending change(s), of which</source>
        <translation>
            <numerusform>%n modification en attente, dont</numerusform>
            <numerusform>%n modifications en attente, dont</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n is|are not in view (hidden by the filters or the hosts selected in the tree). Revert them all?</source>
        <translation>
            <numerusform>%n n&apos;est pas affichée (masquée par les filtres ou les hôtes sélectionnés dans l&apos;arborescence). Toutes les annuler ?</numerusform>
            <numerusform>%n ne sont pas affichées (masquées par les filtres ou les hôtes sélectionnés dans l&apos;arborescence). Toutes les annuler ?</numerusform>
        </translation>
    </message>
    <message>
        <source>Revert all {n}</source>
        <translation>Annuler les {n}</translation>
    </message>
    <message>
        <source>Revert the {n} in view</source>
        <translation>Annuler les {n} affichées</translation>
    </message>
    <message numerus="yes">
        <source>Reverted %n pending change(s) (Ctrl+Z brings it|them back)</source>
        <translation>
            <numerusform>%n modification en attente annulée (Ctrl+Z la rétablit)</numerusform>
            <numerusform>%n modifications en attente annulées (Ctrl+Z les rétablit)</numerusform>
        </translation>
    </message>
    <message>
        <source>Move to a service&apos;s column in the grid first</source>
        <translation>Placez-vous d&apos;abord dans la colonne d&apos;un service de la grille</translation>
    </message>
    <message>
        <source>Reading {host} again…</source>
        <translation>Nouvelle lecture de {host}…</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>Actualisation…</translation>
    </message>
    <message>
        <source>Read-only mode: nothing can be applied</source>
        <translation>Mode lecture seule : rien ne peut être appliqué</translation>
    </message>
    <message>
        <source>An apply is running: wait for it to finish</source>
        <translation>Une application est en cours : attendez qu&apos;elle se termine</translation>
    </message>
    <message>
        <source>The hosts with pending changes are applying: wait for them to finish</source>
        <translation>Les hôtes ayant des modifications en attente sont en cours d&apos;application : attendez qu&apos;ils aient terminé</translation>
    </message>
    <message>
        <source>Nothing to apply</source>
        <translation>Rien à appliquer</translation>
    </message>
    <message>
        <source>No failed changes to retry</source>
        <translation>Aucune modification en échec à réessayer</translation>
    </message>
    <message>
        <source>Retry failed changes</source>
        <translation>Réessayer les modifications en échec</translation>
    </message>
    <message>
        <source>Apply changes</source>
        <translation>Appliquer les modifications</translation>
    </message>
    <message numerus="yes">
        <source>Inserting the setup disk into %n VM(s)…</source>
        <translation>
            <numerusform>Insertion du disque d&apos;installation dans %n VM…</numerusform>
            <numerusform>Insertion du disque d&apos;installation dans %n VM…</numerusform>
        </translation>
    </message>
    <message>
        <source>Setup disk: </source>
        <translation>Disque d&apos;installation : </translation>
    </message>
    <message numerus="yes">
        <source>Applying %n change(s)</source>
        <translation>
            <numerusform>Application de %n modification</numerusform>
            <numerusform>Application de %n modifications</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>on %n host(s)…</source>
        <translation>
            <numerusform>sur %n hôte…</numerusform>
            <numerusform>sur %n hôtes…</numerusform>
        </translation>
    </message>
    <message>
        <source>Apply finished: </source>
        <translation>Application terminée : </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n VM(s) to {path}</source>
        <translation>
            <numerusform>%n VM exportée vers {path}</numerusform>
            <numerusform>%n VM exportées vers {path}</numerusform>
        </translation>
    </message>
    <message>
        <source>Export the VMs in view</source>
        <translation>Exporter les VM affichées</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>Fichiers CSV (*.csv);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Could not export to {path}: {error}</source>
        <translation>Impossible d&apos;exporter vers {path} : {error}</translation>
    </message>
    <message>
        <source>Hosts file</source>
        <translation>Fichier des hôtes</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Journal d&apos;audit</translation>
    </message>
    <message>
        <source>Apply ({n})</source>
        <translation>Appliquer ({n})</translation>
    </message>
    <message>
        <source>No failed changes</source>
        <translation>Aucune modification en échec</translation>
    </message>
    <message>
        <source>Undo {what}</source>
        <translation>Annuler : {what}</translation>
    </message>
    <message>
        <source>Redo {what}</source>
        <translation>Rétablir : {what}</translation>
    </message>
    <message>
        <source>Nothing to undo</source>
        <translation>Rien à annuler</translation>
    </message>
    <message>
        <source>Nothing to redo</source>
        <translation>Rien à rétablir</translation>
    </message>
    <message>
        <source>Started with --read-only: it cannot be switched off in this session</source>
        <translation>Démarré avec --read-only : impossible de le désactiver pendant cette session</translation>
    </message>
    <message>
        <source> [read-only]</source>
        <translation> [lecture seule]</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>Fonctionne</translation>
    </message>
    <message>
        <source>Enabled, not answering</source>
        <translation>Activé, ne répond pas</translation>
    </message>
    <message>
        <source>Degraded</source>
        <translation>Dégradé</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Erreur</translation>
    </message>
    <message>
        <source>Off on the host</source>
        <translation>Désactivé sur l&apos;hôte</translation>
    </message>
    <message>
        <source>No live status (VM not running)</source>
        <translation>Pas de statut en direct (VM arrêtée)</translation>
    </message>
    <message>
        <source>Not offered</source>
        <translation>Non proposé</translation>
    </message>
    <message>
        <source>Could not be read</source>
        <translation>Illisible</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Lost Communication</source>
        <translation>Communication perdue</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Suspendu</translation>
    </message>
    <message>
        <source>Protocol mismatch</source>
        <translation>Protocole différent</translation>
    </message>
    <message>
        <source>App critical</source>
        <translation>Appli critique</translation>
    </message>
    <message>
        <source>Timed out</source>
        <translation>Délai dépassé</translation>
    </message>
    <message>
        <source>Comm. failed</source>
        <translation>Échec comm.</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Désactivé</translation>
    </message>
    <message>
        <source>Non-Recoverable Error</source>
        <translation>Erreur irrécupérable</translation>
    </message>
    <message>
        <source>The protocol version of the component installed in the virtual machine does not match the version expected by the hosting system</source>
        <translation>La version du protocole du composant installé dans l&apos;ordinateur virtuel ne correspond pas à la version attendue par le système hôte</translation>
    </message>
    <message>
        <source>Application critical</source>
        <translation>Application critique</translation>
    </message>
    <message>
        <source>Communication timed out</source>
        <translation>Délai de communication dépassé</translation>
    </message>
    <message>
        <source>Communication failed</source>
        <translation>Échec de la communication</translation>
    </message>
    <message>
        <source>status {code}</source>
        <translation>statut {code}</translation>
    </message>
    <message>
        <source>Turned off in the guest</source>
        <translation>Désactivé dans l&apos;invité</translation>
    </message>
    <message>
        <source>Off in guest</source>
        <translation>Coupé dans l&apos;invité</translation>
    </message>
    <message>
        <source>Not offered by this VM</source>
        <translation>Non proposé par cette VM</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>s.o.</translation>
    </message>
    <message>
        <source>Off (disabled on the host)</source>
        <translation>Désactivé (sur l&apos;hôte)</translation>
    </message>
    <message>
        <source>Enabled; no live status (VM {state})</source>
        <translation>Activé ; pas de statut en direct (VM {state})</translation>
    </message>
    <message>
        <source>Enabled and working ({word})</source>
        <translation>Activé et fonctionne ({word})</translation>
    </message>
    <message>
        <source>Enabled, but not answering: {word}</source>
        <translation>Activé, mais ne répond pas : {word}</translation>
    </message>
    <message>
        <source>Enabled, degraded: {word}</source>
        <translation>Activé, dégradé : {word}</translation>
    </message>
    <message>
        <source>Enabled, in error: {word}</source>
        <translation>Activé, en erreur : {word}</translation>
    </message>
    <message>
        <source>Enabled; {word}</source>
        <translation>Activé ; {word}</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Début</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Running…</source>
        <translation>En cours…</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échec</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Annulé</translation>
    </message>
    <message>
        <source>{what} on {host}: {state}</source>
        <translation>{what} sur {host} : {state}</translation>
    </message>
    <message>
        <source>Running… ({done} of {total} done)</source>
        <translation>En cours… ({done} sur {total} terminés)</translation>
    </message>
    <message numerus="yes">
        <source>%n host(s)</source>
        <translation>
            <numerusform>%n hôte</numerusform>
            <numerusform>%n hôtes</numerusform>
        </translation>
    </message>
    <message>
        <source>Refresh: read VMs and integration services</source>
        <translation>Actualisation : lecture des VM et des services d&apos;intégration</translation>
    </message>
    <message numerus="yes">
        <source>Refresh of %n host(s): {state}</source>
        <translation>
            <numerusform>Actualisation de %n hôte : {state}</numerusform>
            <numerusform>Actualisation de %n hôtes : {state}</numerusform>
        </translation>
    </message>
    <message>
        <source>Read VMs and integration services</source>
        <translation>Lecture des VM et des services d&apos;intégration</translation>
    </message>
    <message>
        <source>({n} could not be read)</source>
        <translation>({n} illisibles)</translation>
    </message>
    <message numerus="yes">
        <source>Apply %n change(s)</source>
        <translation>
            <numerusform>Application de %n modification</numerusform>
            <numerusform>Application de %n modifications</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>to %n VM(s)</source>
        <translation>
            <numerusform>sur %n VM</numerusform>
            <numerusform>sur %n VM</numerusform>
        </translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>{name}, host, {state}</source>
        <translation>{name}, hôte, {state}</translation>
    </message>
    <message>
        <source>{name}
State: {state}
VM Id: {id}</source>
        <translation>{name}
État : {state}
Id de la VM : {id}</translation>
    </message>
    <message>
        <source>{name}, VM, {state}</source>
        <translation>{name}, VM, {state}</translation>
    </message>
    <message>
        <source>Basic authentication over plain HTTP: the password travels in clear</source>
        <translation>Authentification Basic en HTTP simple : le mot de passe circule en clair</translation>
    </message>
    <message>
        <source>CredSSP: your credentials are delegated to the host (a compromised host can reuse them)</source>
        <translation>CredSSP : vos identifiants sont délégués à l&apos;hôte (un hôte compromis peut les réutiliser)</translation>
    </message>
    <message>
        <source>Error: {reason}</source>
        <translation>Erreur : {reason}</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>connecté</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>connexion en cours</translation>
    </message>
    <message>
        <source>Login: {user} ({auth})</source>
        <translation>Identifiant : {user} ({auth})</translation>
    </message>
    <message>
        <source>the current Windows logon</source>
        <translation>la session Windows en cours</translation>
    </message>
    <message>
        <source>Warning: {risk}</source>
        <translation>Attention : {risk}</translation>
    </message>
    <message>
        <source>State: {state}</source>
        <translation>État : {state}</translation>
    </message>
    <message>
        <source>Details: {details}</source>
        <translation>Détails : {details}</translation>
    </message>
    <message>
        <source>Certificate SHA-256: {fingerprint}</source>
        <translation>Certificat SHA-256 : {fingerprint}</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>échec</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connexion…</translation>
    </message>
    <message>
        <source>Applying…</source>
        <translation>Application…</translation>
    </message>
    <message>
        <source>refreshing…</source>
        <translation>actualisation…</translation>
    </message>
    <message>
        <source>Shutdown</source>
        <extracomment>Compact column headers, still Hyper-V Manager&apos;s words (its full label is in the tooltip).</extracomment>
        <translation>Arrêt</translation>
    </message>
    <message>
        <source>Time sync</source>
        <translation>Synchro date/heure</translation>
    </message>
    <message>
        <source>Backup</source>
        <translation>Sauvegarde</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>En fonctionnement</translation>
    </message>
    <message>
        <source>Saved or paused</source>
        <translation>Enregistré ou suspendu</translation>
    </message>
    <message>
        <source>Starting, stopping, other</source>
        <translation>Démarrage, arrêt, autre</translation>
    </message>
    <message>
        <source>Disabled on the host: Hyper-V does not offer this service to the guest.</source>
        <extracomment>The Windows guest service behind each integration service: name and display name (guest-facts.md §1). The Linux side: the daemon and its systemd units (Debian/Ubuntu, RHEL/Fedora), or the kernel driver for the services the kernel provides itself (guest-facts.md §3).</extracomment>
        <translation>Désactivé sur l&apos;hôte : Hyper-V ne propose pas ce service à l&apos;invité.</translation>
    </message>
    <message>
        <source>Enabled; the VM is off, so there is no live status.</source>
        <translation>Activé ; la VM est arrêtée, il n&apos;y a donc pas de statut en direct.</translation>
    </message>
    <message>
        <source>Enabled; the VM is {state}, so the guest cannot answer right now.</source>
        <translation>Activé ; la VM est dans l&apos;état « {state} », l&apos;invité ne peut donc pas répondre pour l&apos;instant.</translation>
    </message>
    <message>
        <source>Enabled and working; the guest&apos;s component speaks an older protocol version (harmless by design, KB 4014894).</source>
        <translation>Activé et fonctionne ; le composant de l&apos;invité utilise une version plus ancienne du protocole (sans conséquence, voulu ainsi, KB 4014894).</translation>
    </message>
    <message>
        <source>Enabled and answering, but the guest reports a problem: check the guest.</source>
        <translation>Activé et répond, mais l&apos;invité signale un problème : vérifiez l&apos;invité.</translation>
    </message>
    <message>
        <source>Enabled and working: the guest answers.</source>
        <translation>Activé et fonctionne : l&apos;invité répond.</translation>
    </message>
    <message>
        <source>Enabled, but the guest has not answered: the guest service is missing or stopped.</source>
        <translation>Activé, mais l&apos;invité n&apos;a pas répondu : le service de l&apos;invité est absent ou arrêté.</translation>
    </message>
    <message>
        <source>Enabled, but the guest stopped answering (it did before): the guest service may have hung or stopped.</source>
        <translation>Activé, mais l&apos;invité ne répond plus (il répondait avant) : le service de l&apos;invité est peut-être bloqué ou arrêté.</translation>
    </message>
    <message>
        <source>Enabled, but the guest&apos;s component version does not match the host: update integration services.</source>
        <translation>Activé, mais la version du composant de l&apos;invité ne correspond pas à l&apos;hôte : mettez à jour les services d&apos;intégration.</translation>
    </message>
    <message>
        <source>Enabled, but the guest reports a problem (degraded): check the guest.</source>
        <translation>Activé, mais l&apos;invité signale un problème (dégradé) : vérifiez l&apos;invité.</translation>
    </message>
    <message>
        <source>Enabled, but talking to the guest failed: check the guest service and its event log.</source>
        <translation>Activé, mais la communication avec l&apos;invité a échoué : vérifiez le service de l&apos;invité et son journal des événements.</translation>
    </message>
    <message>
        <source>Enabled, but the guest did not answer in time: it may be overloaded or hung.</source>
        <translation>Activé, mais l&apos;invité n&apos;a pas répondu à temps : il est peut-être surchargé ou bloqué.</translation>
    </message>
    <message>
        <source>Enabled; the VM is paused.</source>
        <translation>Activé ; la VM est suspendue.</translation>
    </message>
    <message>
        <source>Enabled on the host, but the guest reports the service disabled: it was turned off inside the guest.</source>
        <translation>Activé sur l&apos;hôte, mais l&apos;invité indique le service désactivé : il a été coupé dans l&apos;invité.</translation>
    </message>
    <message>
        <source>Enabled; the host reports status code {code}.</source>
        <translation>Activé ; l&apos;hôte indique le code de statut {code}.</translation>
    </message>
    <message>
        <source>it was disabled inside the guest, and Hyper-V cannot start it then: set it back to Manual and start it</source>
        <translation>il a été désactivé dans l&apos;invité, et Hyper-V ne peut alors pas le démarrer : remettez-le en Manuel et démarrez-le</translation>
    </message>
    <message>
        <source>it has hung or stopped: restart it</source>
        <translation>il est bloqué ou arrêté : redémarrez-le</translation>
    </message>
    <message>
        <source>it runs an older version: update the guest&apos;s integration services</source>
        <translation>il s&apos;agit d&apos;une version plus ancienne : mettez à jour les services d&apos;intégration de l&apos;invité</translation>
    </message>
    <message>
        <source>restart it and look at the guest&apos;s event log or journal</source>
        <translation>redémarrez-le et consultez le journal des événements (ou le journal système) de l&apos;invité</translation>
    </message>
    <message>
        <source>it should be running: start it (or install it if it is missing)</source>
        <translation>il devrait être en cours d&apos;exécution : démarrez-le (ou installez-le s&apos;il est absent)</translation>
    </message>
    <message>
        <source>Windows guest: check the service {name} (&quot;{display}&quot;): {todo} (Get-Service {name}; Start-Service {name}).</source>
        <translation>Invité Windows : vérifiez le service {name} (« {display} ») : {todo} (Get-Service {name} ; Start-Service {name}).</translation>
    </message>
    <message>
        <source>Linux guest: check the daemon {binary} (systemctl status {deb_unit} on Debian and Ubuntu, {rhel_unit} on RHEL and Fedora; package hyperv-daemons, on Ubuntu linux-cloud-tools): {todo}.</source>
        <translation>Invité Linux : vérifiez le démon {binary} (systemctl status {deb_unit} sur Debian et Ubuntu, {rhel_unit} sur RHEL et Fedora ; paquet hyperv-daemons, sur Ubuntu linux-cloud-tools) : {todo}.</translation>
    </message>
    <message>
        <source>Linux guest: this service is in the kernel: check that the hv_utils module is loaded (lsmod | grep hv_utils); update the kernel if it is not there.</source>
        <translation>Invité Linux : ce service fait partie du noyau : vérifiez que le module hv_utils est chargé (lsmod | grep hv_utils) ; mettez à jour le noyau s&apos;il est absent.</translation>
    </message>
    <message>
        <source>Changed by the last apply</source>
        <translation>Modifié par la dernière application</translation>
    </message>
    <message>
        <source>Already in that state at the last apply</source>
        <translation>Déjà dans cet état lors de la dernière application</translation>
    </message>
    <message>
        <source>Conflict: changed on the host by someone else; your change was not applied</source>
        <translation>Conflit : modifié sur l&apos;hôte par quelqu&apos;un d&apos;autre ; votre modification n&apos;a pas été appliquée</translation>
    </message>
    <message>
        <source>Outcome unknown: the change was sent and the host&apos;s answer was lost; it is reconciled from the host&apos;s next answer (until then it cannot be edited or retried)</source>
        <translation>Résultat inconnu : la modification a été envoyée et la réponse de l&apos;hôte a été perdue ; elle sera réconciliée à la prochaine réponse de l&apos;hôte (d&apos;ici là, elle ne peut être ni retouchée ni réessayée)</translation>
    </message>
    <message>
        <source>Not applied: the host&apos;s answer was lost and a re-read shows the old state; Retry failed sends it again</source>
        <translation>Non appliquée : la réponse de l&apos;hôte a été perdue et une relecture montre l&apos;ancien état ; Réessayer les échecs l&apos;envoie de nouveau</translation>
    </message>
    <message>
        <source>Update required</source>
        <translation>Mise à jour requise</translation>
    </message>
    <message>
        <source>Up to date</source>
        <translation>À jour</translation>
    </message>
    <message>
        <source>state unknown</source>
        <translation>état inconnu</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>inconnue</translation>
    </message>
    <message>
        <source>{version} (update required)</source>
        <translation>{version} (mise à jour requise)</translation>
    </message>
    <message>
        <source>{version} (up to date)</source>
        <translation>{version} (à jour)</translation>
    </message>
    <message>
        <source>{version} (the host did not say whether it is up to date)</source>
        <translation>{version} (l&apos;hôte n&apos;a pas indiqué si elle est à jour)</translation>
    </message>
    <message>
        <source>the VM is not running</source>
        <translation>la VM n&apos;est pas en fonctionnement</translation>
    </message>
    <message>
        <source>Data Exchange is off on this VM</source>
        <translation>l&apos;Échange de données est désactivé sur cette VM</translation>
    </message>
    <message>
        <source>the VM is {state}</source>
        <translation>la VM est dans l&apos;état « {state} »</translation>
    </message>
    <message>
        <source>Data Exchange does not answer, so the guest does not report it</source>
        <translation>l&apos;Échange de données ne répond pas, l&apos;invité ne l&apos;indique donc pas</translation>
    </message>
    <message>
        <source>unknown: {why}</source>
        <translation>inconnu : {why}</translation>
    </message>
    <message>
        <source>(it reported {os} earlier)</source>
        <translation>(il a indiqué {os} auparavant)</translation>
    </message>
    <message>
        <source>this guest</source>
        <translation>cet invité</translation>
    </message>
    <message>
        <source>{guest} on this host gets its integration services from Windows Update only with the Data Exchange service enabled (otherwise: the CAB from the Microsoft Download Center, KB 3071740)</source>
        <translation>{guest} ne reçoit ses services d&apos;intégration de Windows Update sur cet hôte que si le service Échange de données est activé (sinon : le CAB du Centre de téléchargement Microsoft, KB 3071740)</translation>
    </message>
    <message>
        <source>A pending change disables Data Exchange: that would stop this VM&apos;s integration services updates. {why}.</source>
        <translation>Une modification en attente désactive l&apos;Échange de données : cela arrêterait les mises à jour des services d&apos;intégration de cette VM. {why}.</translation>
    </message>
    <message>
        <source>Updates blocked: Data Exchange is disabled on this VM. {why}: enable Data Exchange.</source>
        <translation>Mises à jour bloquées : l&apos;Échange de données est désactivé sur cette VM. {why} : activez l&apos;Échange de données.</translation>
    </message>
    <message>
        <source>its guest OS</source>
        <translation>son système invité</translation>
    </message>
    <message>
        <source>integration services need an update</source>
        <translation>les services d&apos;intégration doivent être mis à jour</translation>
    </message>
    <message>
        <source>{guest} is not supported on this host</source>
        <translation>{guest} n&apos;est pas pris en charge sur cet hôte</translation>
    </message>
    <message>
        <source>{guest} has extended support only on this host</source>
        <translation>{guest} n&apos;a qu&apos;un support étendu sur cet hôte</translation>
    </message>
    <message>
        <source>{guest} has no mainstream support</source>
        <translation>{guest} n&apos;a plus de support standard</translation>
    </message>
    <message>
        <source>a pending change would block its updates (Data Exchange)</source>
        <translation>une modification en attente bloquerait ses mises à jour (Échange de données)</translation>
    </message>
    <message>
        <source>updates blocked: Data Exchange is disabled</source>
        <translation>mises à jour bloquées : l&apos;Échange de données est désactivé</translation>
    </message>
    <message>
        <source>No advice while the guest OS is unknown ({why}).</source>
        <translation>Pas de conseil tant que le système invité est inconnu ({why}).</translation>
    </message>
    <message>
        <source>No advice: {reason}.</source>
        <translation>Pas de conseil : {reason}.</translation>
    </message>
    <message>
        <source>Through Windows Update, inside the guest.</source>
        <translation>Par Windows Update, dans l&apos;invité.</translation>
    </message>
    <message>
        <source>With the Integration Services setup disk (vmguest.iso): insert it (Edit &gt; Insert Integration Services setup disk), then the guest&apos;s administrator installs them inside the guest (this cannot be automated for a running VM).</source>
        <translation>Avec le disque d&apos;installation des services d&apos;intégration (vmguest.iso) : insérez-le (Édition &gt; Insérer le disque d&apos;installation des services d&apos;intégration), puis l&apos;administrateur de l&apos;invité les installe dans l&apos;invité (impossible à automatiser pour une VM en fonctionnement).</translation>
    </message>
    <message>
        <source>With the Linux distribution&apos;s package manager.</source>
        <translation>Avec le gestionnaire de paquets de la distribution Linux.</translation>
    </message>
    <message>
        <source>Note: {note}.</source>
        <translation>Remarque : {note}.</translation>
    </message>
    <message>
        <source>requires the Data Exchange integration service (otherwise: the CAB from the Microsoft Download Center, KB 3071740)</source>
        <translation>nécessite le service d&apos;intégration Échange de données (sinon : le CAB du Centre de téléchargement Microsoft, KB 3071740)</translation>
    </message>
    <message>
        <source>extended support only on this host</source>
        <translation>support étendu seulement sur cet hôte</translation>
    </message>
    <message>
        <source>not supported on this host</source>
        <translation>non pris en charge sur cet hôte</translation>
    </message>
    <message>
        <source>no mainstream support</source>
        <translation>plus de support standard</translation>
    </message>
    <message>
        <source>built into the distribution&apos;s kernel; optional updates may exist</source>
        <translation>intégrés au noyau de la distribution ; des mises à jour facultatives peuvent exister</translation>
    </message>
    <message>
        <source>insert the setup disk (vmguest.iso), then the guest&apos;s administrator installs it inside the guest; this cannot be automated for a running VM</source>
        <translation>insérez le disque d&apos;installation (vmguest.iso), puis l&apos;administrateur de l&apos;invité l&apos;installe dans l&apos;invité ; impossible à automatiser pour une VM en fonctionnement</translation>
    </message>
    <message>
        <source>host version unknown</source>
        <translation>version de l&apos;hôte inconnue</translation>
    </message>
    <message>
        <source>guest OS unknown: the VM is not running</source>
        <translation>système invité inconnu : la VM n&apos;est pas en fonctionnement</translation>
    </message>
    <message>
        <source>guest OS unknown: Data Exchange is off or the guest does not report it</source>
        <translation>système invité inconnu : l&apos;Échange de données est désactivé ou l&apos;invité ne l&apos;indique pas</translation>
    </message>
    <message>
        <source>{guest} is not in the update table for this host</source>
        <translation>{guest} ne figure pas dans la table de mise à jour pour cet hôte</translation>
    </message>
    <message>
        <source>its integration services could not be read on the host</source>
        <translation>ses services d&apos;intégration n&apos;ont pas pu être lus sur l&apos;hôte</translation>
    </message>
    <message>
        <source>not answering</source>
        <translation>ne répond pas</translation>
    </message>
    <message>
        <source>degraded</source>
        <translation>dégradé</translation>
    </message>
    <message>
        <source>error</source>
        <translation>en erreur</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>illisible</translation>
    </message>
    <message>
        <source>{service} {what} ({word})</source>
        <translation>{service} {what} ({word})</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) not applied</source>
        <translation>
            <numerusform>%n modification non appliquée</numerusform>
            <numerusform>%n modifications non appliquées</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) of unknown outcome</source>
        <translation>
            <numerusform>%n modification au résultat inconnu</numerusform>
            <numerusform>%n modifications au résultat inconnu</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n pending change(s)</source>
        <translation>
            <numerusform>%n modification en attente</numerusform>
            <numerusform>%n modifications en attente</numerusform>
        </translation>
    </message>
    <message>
        <source>Needs a look: {problems}</source>
        <translation>À examiner : {problems}</translation>
    </message>
    <message>
        <source>Nothing wrong seen; the VM is {state}, so there is no live status</source>
        <translation>Rien d&apos;anormal ; la VM est dans l&apos;état « {state} », il n&apos;y a donc pas de statut en direct</translation>
    </message>
    <message>
        <source>OK: every enabled integration service answers</source>
        <translation>OK : chaque service d&apos;intégration activé répond</translation>
    </message>
    <message>
        <source>Not detected</source>
        <translation>Non détecté</translation>
    </message>
    <message>
        <source>VM</source>
        <translation>VM</translation>
    </message>
    <message>
        <source>{label}
Guest: {windows} (Windows), {linux} (Linux)
Default: {default}</source>
        <translation>{label}
Invité : {windows} (Windows), {linux} (Linux)
Par défaut : {default}</translation>
    </message>
    <message>
        <source>on</source>
        <translation>activé</translation>
    </message>
    <message>
        <source>off</source>
        <translation>désactivé</translation>
    </message>
    <message>
        <source>{name}
Not a known integration service ({guid})</source>
        <translation>{name}
Service d&apos;intégration inconnu ({guid})</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Integration services version the host detected, and its state: amber with ◆ when the host says Update required; ▲ when the guest OS is not supported on the host or its updates are blocked by a disabled Data Exchange (the corner badge). The tooltip gives the state, the guest OS and how it is updated.</source>
        <translation>Version des services d&apos;intégration détectée par l&apos;hôte, et son état : orangé avec ◆ quand l&apos;hôte indique Mise à jour requise ; ▲ quand le système invité n&apos;est pas pris en charge par l&apos;hôte ou que ses mises à jour sont bloquées par un Échange de données désactivé (le badge en coin). L&apos;info-bulle donne l&apos;état, le système invité et la façon de le mettre à jour.</translation>
    </message>
    <message>
        <source>Integration services version</source>
        <translation>Version des services d&apos;intégration</translation>
    </message>
    <message>
        <source>{name}
VM Id: {id}
Host: {host}
Guest OS: {os}</source>
        <translation>{name}
Id de la VM : {id}
Hôte : {host}
Système invité : {os}</translation>
    </message>
    <message>
        <source>{name}, VM on {host}</source>
        <translation>{name}, VM sur {host}</translation>
    </message>
    <message>
        <source>{name}, host {host}</source>
        <translation>{name}, hôte {host}</translation>
    </message>
    <message>
        <source>{name}, state {state}</source>
        <translation>{name}, état {state}</translation>
    </message>
    <message>
        <source>integration services version {version}</source>
        <translation>services d&apos;intégration version {version}</translation>
    </message>
    <message>
        <source>guest OS {os}</source>
        <translation>système invité {os}</translation>
    </message>
    <message>
        <source>needs attention: {reasons}</source>
        <translation>à surveiller : {reasons}</translation>
    </message>
    <message>
        <source>Integration services {version}: {state} (as the host reports it)</source>
        <translation>Services d&apos;intégration {version} : {state} (selon l&apos;hôte)</translation>
    </message>
    <message>
        <source>Guest OS: {os}</source>
        <translation>Système invité : {os}</translation>
    </message>
    <message>
        <source>Updates: {advice}</source>
        <translation>Mises à jour : {advice}</translation>
    </message>
    <message>
        <source>Needs attention: {reasons}.</source>
        <translation>À surveiller : {reasons}.</translation>
    </message>
    <message>
        <source>Outcome unknown</source>
        <translation>Résultat inconnu</translation>
    </message>
    <message>
        <source>Not applied</source>
        <translation>Non appliqué</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>Conflit</translation>
    </message>
    <message>
        <source>, integration services updates blocked</source>
        <translation>, mises à jour des services d&apos;intégration bloquées</translation>
    </message>
    <message>
        <source>{label}: could not be read on the host: {error}</source>
        <translation>{label} : illisible sur l&apos;hôte : {error}</translation>
    </message>
    <message>
        <source>Pending change kept: → {target} (not applied yet)</source>
        <translation>Modification en attente conservée : → {target} (pas encore appliquée)</translation>
    </message>
    <message>
        <source>{name}, {label}, could not be read</source>
        <translation>{name}, {label}, illisible</translation>
    </message>
    <message>
        <source>pending: enable</source>
        <translation>en attente : activer</translation>
    </message>
    <message>
        <source>pending: disable</source>
        <translation>en attente : désactiver</translation>
    </message>
    <message>
        <source>{label}: this VM does not offer this service</source>
        <translation>{label} : cette VM ne propose pas ce service</translation>
    </message>
    <message>
        <source>{name}, {label}, not offered by this VM</source>
        <translation>{name}, {label}, non proposé par cette VM</translation>
    </message>
    <message>
        <source>applying</source>
        <comment>apply outcome</comment>
        <translation>application en cours</translation>
    </message>
    <message>
        <source>changed</source>
        <comment>apply outcome</comment>
        <translation>modifié</translation>
    </message>
    <message>
        <source>unchanged</source>
        <comment>apply outcome</comment>
        <translation>inchangé</translation>
    </message>
    <message>
        <source>conflict</source>
        <comment>apply outcome</comment>
        <translation>conflit</translation>
    </message>
    <message>
        <source>failed</source>
        <comment>apply outcome</comment>
        <translation>échec</translation>
    </message>
    <message>
        <source>unknown</source>
        <comment>apply outcome</comment>
        <translation>résultat inconnu</translation>
    </message>
    <message>
        <source>not applied</source>
        <comment>apply outcome</comment>
        <translation>non appliqué</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Activé</translation>
    </message>
    <message>
        <source>Pending change: {current} → {target} (not applied yet)</source>
        <translation>Modification en attente : {current} → {target} (pas encore appliquée)</translation>
    </message>
    <message>
        <source>enabled</source>
        <translation>activé</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>désactivé</translation>
    </message>
    <message>
        <source>no live status</source>
        <translation>pas de statut en direct</translation>
    </message>
    <message>
        <source>last apply: {outcome}</source>
        <translation>dernière application : {outcome}</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Activé</translation>
    </message>
    <message numerus="yes">
        <source>%n changed</source>
        <translation>
            <numerusform>%n modifiée</numerusform>
            <numerusform>%n modifiées</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n already in that state</source>
        <translation>
            <numerusform>%n déjà dans cet état</numerusform>
            <numerusform>%n déjà dans cet état</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s)</source>
        <translation>
            <numerusform>%n conflit</numerusform>
            <numerusform>%n conflits</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n en échec</numerusform>
            <numerusform>%n en échec</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not applied (answer lost; re-read)</source>
        <translation>
            <numerusform>%n non appliquée (réponse perdue ; relue)</numerusform>
            <numerusform>%n non appliquées (réponse perdue ; relue)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n outcome unknown (answer lost; re-read when the host answers)</source>
        <translation>
            <numerusform>%n au résultat inconnu (réponse perdue ; relue quand l&apos;hôte répondra)</numerusform>
            <numerusform>%n au résultat inconnu (réponse perdue ; relues quand l&apos;hôte répondra)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n host(s) unreachable or refused</source>
        <translation>
            <numerusform>%n hôte injoignable ou qui a refusé</numerusform>
            <numerusform>%n hôtes injoignables ou qui ont refusé</numerusform>
        </translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Modifier</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>Abandonner</translation>
    </message>
    <message numerus="yes">
        <source>{verb} {service} on %n VM(s)</source>
        <translation>
            <numerusform>{verb} {service} sur %n VM</numerusform>
            <numerusform>{verb} {service} sur %n VM</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{verb} %n service(s)</source>
        <translation>
            <numerusform>{verb} %n service</numerusform>
            <numerusform>{verb} %n services</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>on %n VM(s)</source>
        <translation>
            <numerusform>sur %n VM</numerusform>
            <numerusform>sur %n VM</numerusform>
        </translation>
    </message>
    <message>
        <source>Password for {host}</source>
        <translation>Mot de passe de {host}</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>Utilisateur :</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(aucun)</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Mot de passe :</translation>
    </message>
    <message>
        <source>No secure password store on this machine: the password is kept for this session only.</source>
        <translation>Pas de coffre sécurisé pour les mots de passe sur cette machine : le mot de passe n&apos;est conservé que pour cette session.</translation>
    </message>
    <message>
        <source>Trust the certificate of {host}?</source>
        <translation>Faire confiance au certificat de {host} ?</translation>
    </message>
    <message>
        <source>&lt;b&gt;{host}&lt;/b&gt; ({url}) presents a certificate this computer does not trust. Trust it only if its fingerprint is the one on the host (ask its administrator, or run &lt;tt&gt;Get-ChildItem Cert:\LocalMachine\My&lt;/tt&gt; on the host; Windows shows the SHA-1 thumbprint, listed too).</source>
        <translation>&lt;b&gt;{host}&lt;/b&gt; ({url}) présente un certificat auquel cet ordinateur ne fait pas confiance. Ne lui faites confiance que si son empreinte est celle de l&apos;hôte (demandez à son administrateur, ou exécutez &lt;tt&gt;Get-ChildItem Cert:\LocalMachine\My&lt;/tt&gt; sur l&apos;hôte ; Windows affiche l&apos;empreinte SHA-1, indiquée aussi).</translation>
    </message>
    <message>
        <source>Reading the certificate…</source>
        <translation>Lecture du certificat…</translation>
    </message>
    <message>
        <source>Certificates presented by the host</source>
        <translation>Certificats présentés par l&apos;hôte</translation>
    </message>
    <message>
        <source>Host SHA-256:</source>
        <translation>SHA-256 de l&apos;hôte :</translation>
    </message>
    <message>
        <source>&amp;Trust this host&apos;s certificate</source>
        <translation>&amp;Faire confiance au certificat de cet hôte</translation>
    </message>
    <message>
        <source>Pinned: exactly this certificate is accepted for this host; any other is refused and you are told</source>
        <translation>Épinglé : exactement ce certificat est accepté pour cet hôte ; tout autre est refusé et vous êtes prévenu</translation>
    </message>
    <message>
        <source>Trust the issuing &amp;CA</source>
        <translation>Faire confiance à l&apos;&amp;AC émettrice</translation>
    </message>
    <message>
        <source>Every certificate this CA issues for the host&apos;s name is accepted (it survives the host&apos;s certificate being renewed)</source>
        <translation>Tout certificat que cette AC émet pour le nom de l&apos;hôte est accepté (cela survit au renouvellement du certificat de l&apos;hôte)</translation>
    </message>
    <message>
        <source>Could not read the certificate: {error}</source>
        <translation>Impossible de lire le certificat : {error}</translation>
    </message>
    <message>
        <source>this host</source>
        <translation>cet hôte</translation>
    </message>
    <message>
        <source>CA</source>
        <translation>AC</translation>
    </message>
    <message>
        <source>intermediate</source>
        <translation>intermédiaire</translation>
    </message>
    <message>
        <source>{host} presents ANOTHER certificate</source>
        <translation>{host} présente un AUTRE certificat</translation>
    </message>
    <message>
        <source>WARNING: {host} now presents another certificate than the one you trusted ({pin}). Someone may be intercepting the connection, or the host got a new certificate. Accept the new one only after checking its fingerprint with the host&apos;s administrator.</source>
        <translation>ATTENTION : {host} présente maintenant un autre certificat que celui auquel vous avez fait confiance ({pin}). Quelqu&apos;un intercepte peut-être la connexion, ou l&apos;hôte a reçu un nouveau certificat. N&apos;acceptez le nouveau qu&apos;après avoir vérifié son empreinte avec l&apos;administrateur de l&apos;hôte.</translation>
    </message>
    <message>
        <source>&amp;Accept the new certificate</source>
        <translation>&amp;Accepter le nouveau certificat</translation>
    </message>
    <message>
        <source>This is not the certificate the host presented a moment ago: it changed. Check it with particular care.</source>
        <translation>Ce n&apos;est pas le certificat que l&apos;hôte présentait il y a un instant : il a changé. Vérifiez-le avec un soin particulier.</translation>
    </message>
    <message>
        <source>This certificate is expired or not yet valid.</source>
        <translation>Ce certificat a expiré ou n&apos;est pas encore valide.</translation>
    </message>
    <message>
        <source>The host did not send its CA&apos;s certificate</source>
        <translation>L&apos;hôte n&apos;a pas envoyé le certificat de son AC</translation>
    </message>
    <message>
        <source> (it is self-signed)</source>
        <translation> (il est auto-signé)</translation>
    </message>
    <message>
        <source>: get it from your PKI administrator and give it as the host&apos;s CA file (Edit host…)</source>
        <translation> : obtenez-le de votre administrateur PKI et indiquez-le comme fichier d&apos;AC de l&apos;hôte (Modifier l&apos;hôte…)</translation>
    </message>
    <message>
        <source>Negotiate: Kerberos, else NTLM (as Enter-PSSession)</source>
        <translation>Negotiate : Kerberos, sinon NTLM (comme Enter-PSSession)</translation>
    </message>
    <message>
        <source>Kerberos only</source>
        <translation>Kerberos seulement</translation>
    </message>
    <message>
        <source>NTLM (user and password)</source>
        <translation>NTLM (utilisateur et mot de passe)</translation>
    </message>
    <message>
        <source>CredSSP (hands your credentials to the host)</source>
        <translation>CredSSP (confie vos identifiants à l&apos;hôte)</translation>
    </message>
    <message>
        <source>Basic (user and password; HTTPS only)</source>
        <translation>Basic (utilisateur et mot de passe ; HTTPS seulement)</translation>
    </message>
    <message>
        <source>Edit host</source>
        <translation>Modifier l&apos;hôte</translation>
    </message>
    <message>
        <source>Add host</source>
        <translation>Ajouter un hôte</translation>
    </message>
    <message>
        <source>hv01.example.com, or https://hv01:5986/wsman</source>
        <translation>hv01.example.com, ou https://hv01:5986/wsman</translation>
    </message>
    <message>
        <source>Host or URL:</source>
        <translation>Hôte ou URL :</translation>
    </message>
    <message>
        <source>HTTPS (port 5986)</source>
        <translation>HTTPS (port 5986)</translation>
    </message>
    <message>
        <source>A bare name means http://NAME:5985/wsman, the listener Enable-PSRemoting creates (Negotiate encrypts every message). Tick for the HTTPS listener (winrm quickconfig -transport:https). An https:// URL is always HTTPS: never a silent fallback to HTTP.</source>
        <translation>Un nom seul signifie http://NOM:5985/wsman, l&apos;écouteur que crée Enable-PSRemoting (Negotiate chiffre chaque message). Cochez pour l&apos;écouteur HTTPS (winrm quickconfig -transport:https). Une URL https:// est toujours en HTTPS : jamais de repli silencieux vers HTTP.</translation>
    </message>
    <message>
        <source>optional display name</source>
        <translation>nom d&apos;affichage facultatif</translation>
    </message>
    <message>
        <source>Display name:</source>
        <translation>Nom d&apos;affichage :</translation>
    </message>
    <message>
        <source>Authentication:</source>
        <translation>Authentification :</translation>
    </message>
    <message>
        <source>Allow Basic over HTTP (lab only, password in clear)</source>
        <translation>Autoriser Basic en HTTP (labo seulement, mot de passe en clair)</translation>
    </message>
    <message>
        <source>DOMAIN\user or user@domain</source>
        <translation>DOMAINE\utilisateur ou utilisateur@domaine</translation>
    </message>
    <message>
        <source>leave empty to keep the stored one</source>
        <translation>laisser vide pour garder celui enregistré</translation>
    </message>
    <message>
        <source>PEM certificate or bundle to trust (HTTPS)</source>
        <translation>Certificat ou paquet PEM de confiance (HTTPS)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Parcourir…</translation>
    </message>
    <message>
        <source>CA file:</source>
        <translation>Fichier de l&apos;AC :</translation>
    </message>
    <message>
        <source>Command timeout:</source>
        <translation>Délai par commande :</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>&amp;Tester la connexion</translation>
    </message>
    <message>
        <source>Check these settings step by step (name, port, TLS, logon, rights, PowerShell, Hyper-V module, a read-only inventory) before saving</source>
        <translation>Vérifier ces paramètres étape par étape (nom, port, TLS, ouverture de session, droits, PowerShell, module Hyper-V, un inventaire en lecture seule) avant d&apos;enregistrer</translation>
    </message>
    <message>
        <source>Certificate to trust</source>
        <translation>Certificat de confiance</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>Certificats (*.pem *.crt *.cer);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>empty: your Windows logon; or DOMAIN\user</source>
        <translation>vide : votre session Windows ; ou DOMAINE\utilisateur</translation>
    </message>
    <message>
        <source>Single sign-on: with no user, hvgui logs on as you (your Windows logon), no password asked or stored.</source>
        <translation>Authentification unique : sans utilisateur, hvgui se connecte en votre nom (votre session Windows), sans demander ni enregistrer de mot de passe.</translation>
    </message>
    <message>
        <source>Logs on as this user with the password below.</source>
        <translation>Se connecte avec cet utilisateur et le mot de passe ci-dessous.</translation>
    </message>
    <message>
        <source>CredSSP hands your full credentials to the host: choose it only for hosts you trust as much as your own workstation.</source>
        <translation>CredSSP confie tous vos identifiants à l&apos;hôte : ne le choisissez que pour des hôtes en qui vous avez autant confiance que dans votre propre poste.</translation>
    </message>
    <message>
        <source>Basic sends the password with every request: use it over HTTPS.</source>
        <translation>Basic envoie le mot de passe à chaque requête : utilisez-le en HTTPS.</translation>
    </message>
    <message>
        <source>disabling Data Exchange stops its integration services updates: {why}</source>
        <translation>désactiver l&apos;Échange de données arrête les mises à jour de ses services d&apos;intégration : {why}</translation>
    </message>
    <message>
        <source>to</source>
        <comment>preposition</comment>
        <translation>pour</translation>
    </message>
    <message>
        <source>on</source>
        <comment>preposition</comment>
        <translation>sur</translation>
    </message>
    <message>
        <source>Each host gets one batch; hosts run in parallel.</source>
        <translation>Chaque hôte reçoit un lot ; les hôtes travaillent en parallèle.</translation>
    </message>
    <message>
        <source>The host gets one batch.</source>
        <translation>L&apos;hôte reçoit un lot.</translation>
    </message>
    <message>
        <source>An item that someone else changed since it was read is reported as a conflict and left alone.</source>
        <translation>Un élément que quelqu&apos;un d&apos;autre a modifié depuis sa lecture est signalé comme conflit et laissé tel quel.</translation>
    </message>
    <message numerus="yes">
        <source>Not included: the pending changes of {hosts}, which is|are applying changes right now. Apply them once that apply has finished.</source>
        <translation>
            <numerusform>Non incluses : les modifications en attente de {hosts}, qui applique des modifications en ce moment. Appliquez-les une fois cette application terminée.</numerusform>
            <numerusform>Non incluses : les modifications en attente de {hosts}, qui appliquent des modifications en ce moment. Appliquez-les une fois cette application terminée.</numerusform>
        </translation>
    </message>
    <message>
        <source>Warnings about this plan</source>
        <translation>Avertissements sur ce plan</translation>
    </message>
    <message>
        <source>{vm} on {host}: {why}.</source>
        <translation>{vm} sur {host} : {why}.</translation>
    </message>
    <message numerus="yes">
        <source>Before you apply: %n change(s) stops|stop integration services updates.</source>
        <translation>
            <numerusform>Avant d&apos;appliquer : %n modification arrête les mises à jour des services d&apos;intégration.</numerusform>
            <numerusform>Avant d&apos;appliquer : %n modifications arrêtent les mises à jour des services d&apos;intégration.</numerusform>
        </translation>
    </message>
    <message>
        <source>Host / VM / service</source>
        <translation>Hôte / VM / service</translation>
    </message>
    <message>
        <source>Current</source>
        <translation>Actuel</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Cible</translation>
    </message>
    <message>
        <source>Equivalent PowerShell</source>
        <translation>PowerShell équivalent</translation>
    </message>
    <message>
        <source>Changes to apply</source>
        <translation>Modifications à appliquer</translation>
    </message>
    <message>
        <source>{service} (stops its updates)</source>
        <translation>{service} (arrête ses mises à jour)</translation>
    </message>
    <message>
        <source>Show the equivalent PowerShell of each change</source>
        <translation>Afficher le PowerShell équivalent de chaque modification</translation>
    </message>
    <message>
        <source>The command an admin would type for each change (hvgui sends the script below instead: one command per host, names never in it)</source>
        <translation>La commande qu&apos;un administrateur taperait pour chaque modification (hvgui envoie à la place le script ci-dessous : une commande par hôte, sans aucun nom dedans)</translation>
    </message>
    <message>
        <source># Request sent to {host} (travels as base64 of this JSON; no name ever enters the script)</source>
        <translation># Requête envoyée à {host} (voyage en base64 de ce JSON ; aucun nom n&apos;entre jamais dans le script)</translation>
    </message>
    <message>
        <source># Command line:</source>
        <translation># Ligne de commande :</translation>
    </message>
    <message>
        <source># Script (constant, sent on stdin):</source>
        <translation># Script (constant, envoyé sur stdin) :</translation>
    </message>
    <message>
        <source>Script for {host}</source>
        <translation>Script pour {host}</translation>
    </message>
    <message>
        <source># What an admin would type for the same changes, one command per change. hvgui sends the
# script in the other tabs instead: one batch per host, checked against what you saw.
</source>
        <translation># Ce qu&apos;un administrateur taperait pour les mêmes modifications, une commande par modification.
# hvgui envoie à la place le script des autres onglets : un lot par hôte, vérifié par rapport à ce que vous avez vu.
</translation>
    </message>
    <message>
        <source>Send the changes to the hosts (click, or Ctrl+Enter; Enter alone does not apply)</source>
        <translation>Envoyer les modifications aux hôtes (clic, ou Ctrl+Entrée ; Entrée seule n&apos;applique pas)</translation>
    </message>
    <message>
        <source>Copy PowerShell</source>
        <translation>Copier le PowerShell</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation>Erreur inattendue</translation>
    </message>
    <message>
        <source>Something went wrong inside hvgui: {error}

The window keeps running; the details below are also in the log.</source>
        <translation>Un problème est survenu dans hvgui : {error}

La fenêtre continue de fonctionner ; les détails ci-dessous sont aussi dans le journal.</translation>
    </message>
    <message>
        <source>Windows Server 2016 and later hosts have no Integration Services setup disk (vmguest.iso): their guests get integration services updates through Windows Update</source>
        <translation>les hôtes Windows Server 2016 et ultérieurs n&apos;ont pas de disque d&apos;installation des services d&apos;intégration (vmguest.iso) : leurs invités reçoivent les mises à jour des services d&apos;intégration par Windows Update</translation>
    </message>
    <message>
        <source>Then the guest&apos;s administrator installs the integration services inside each guest from that disk (this cannot be automated for a running VM).</source>
        <translation>L&apos;administrateur de l&apos;invité installe ensuite les services d&apos;intégration dans chaque invité à partir de ce disque (impossible à automatiser pour une VM en fonctionnement).</translation>
    </message>
    <message>
        <source>Select the VMs to receive the setup disk (on Windows Server 2012 or 2012 R2 hosts)</source>
        <translation>Sélectionnez les VM qui doivent recevoir le disque d&apos;installation (sur des hôtes Windows Server 2012 ou 2012 R2)</translation>
    </message>
    <message>
        <source>Not offered: {reason}</source>
        <translation>Non proposé : {reason}</translation>
    </message>
    <message>
        <source>Not offered: the host&apos;s Windows version is not known yet (read it first)</source>
        <translation>Non proposé : la version de Windows de l&apos;hôte n&apos;est pas encore connue (lisez-la d&apos;abord)</translation>
    </message>
    <message>
        <source>Setup disk inserted</source>
        <translation>Disque d&apos;installation inséré</translation>
    </message>
    <message>
        <source>Setup disk already in the drive</source>
        <translation>Disque d&apos;installation déjà dans le lecteur</translation>
    </message>
    <message>
        <source>This host has no setup disk (Windows Server 2016 and later)</source>
        <translation>Cet hôte n&apos;a pas de disque d&apos;installation (Windows Server 2016 et ultérieur)</translation>
    </message>
    <message>
        <source>No DVD drive</source>
        <translation>Aucun lecteur de DVD</translation>
    </message>
    <message>
        <source>Another disk is in the drive (not replaced)</source>
        <translation>Un autre disque est dans le lecteur (non remplacé)</translation>
    </message>
    <message>
        <source>VM not found</source>
        <translation>VM introuvable</translation>
    </message>
    <message>
        <source>This VM has no DVD drive: add one (Add-VMDvdDrive) to insert the setup disk.</source>
        <extracomment>setup_disk.ps1&apos;s own messages (constant English, with at most a path in them), to say in the window&apos;s language: outcome -&gt; (the message as the script writes it, its translation).</extracomment>
        <translation>Cette VM n&apos;a pas de lecteur de DVD : ajoutez-en un (Add-VMDvdDrive) pour insérer le disque d&apos;installation.</translation>
    </message>
    <message>
        <source>The setup disk is already in the DVD drive.</source>
        <translation>Le disque d&apos;installation est déjà dans le lecteur de DVD.</translation>
    </message>
    <message>
        <source>The DVD drive holds {disk}; it was left there (choose to replace it).</source>
        <translation>Le lecteur de DVD contient {disk} ; il y a été laissé (choisissez de le remplacer).</translation>
    </message>
    <message>
        <source>Replaced {disk}.</source>
        <translation>{disk} remplacé.</translation>
    </message>
    <message>
        <source>This host has no Integration Services setup disk ({disk}): Windows Server 2016 and later hosts update their guests through Windows Update.</source>
        <translation>Cet hôte n&apos;a pas de disque d&apos;installation des services d&apos;intégration ({disk}) : les hôtes Windows Server 2016 et ultérieurs mettent à jour leurs invités par Windows Update.</translation>
    </message>
    <message>
        <source>{outcome}: {message}</source>
        <translation>{outcome} : {message}</translation>
    </message>
    <message numerus="yes">
        <source>%n inserted</source>
        <comment>setup disk</comment>
        <translation>
            <numerusform>inséré dans %n VM</numerusform>
            <numerusform>inséré dans %n VM</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n already had it</source>
        <comment>setup disk</comment>
        <translation>
            <numerusform>déjà présent dans %n VM</numerusform>
            <numerusform>déjà présent dans %n VM</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n VM(s) without a DVD drive</source>
        <translation>
            <numerusform>%n VM sans lecteur de DVD</numerusform>
            <numerusform>%n VM sans lecteur de DVD</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n VM(s) with another disk (not replaced)</source>
        <translation>
            <numerusform>%n VM avec un autre disque (non remplacé)</numerusform>
            <numerusform>%n VM avec un autre disque (non remplacé)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <comment>setup disk</comment>
        <translation>
            <numerusform>%n en échec</numerusform>
            <numerusform>%n en échec</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n host(s) failed</source>
        <translation>
            <numerusform>%n hôte en échec</numerusform>
            <numerusform>%n hôtes en échec</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Replace the other disk with the setup disk in %n VM(s)</source>
        <translation>
            <numerusform>Remplacer l&apos;autre disque par le disque d&apos;installation dans %n VM</numerusform>
            <numerusform>Remplacer l&apos;autre disque par le disque d&apos;installation dans %n VM</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Insert the setup disk into %n VM(s)</source>
        <translation>
            <numerusform>Insérer le disque d&apos;installation dans %n VM</numerusform>
            <numerusform>Insérer le disque d&apos;installation dans %n VM</numerusform>
        </translation>
    </message>
    <message>
        <source>Insert the Integration Services setup disk</source>
        <translation>Insérer le disque d&apos;installation des services d&apos;intégration</translation>
    </message>
    <message numerus="yes">
        <source>Replace the disk in the DVD drive of %n VM(s)</source>
        <translation>
            <numerusform>Remplacer le disque du lecteur de DVD de %n VM</numerusform>
            <numerusform>Remplacer le disque du lecteur de DVD de %n VM</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Insert the setup disk (vmguest.iso) into the DVD drive of %n VM(s)</source>
        <translation>
            <numerusform>Insérer le disque d&apos;installation (vmguest.iso) dans le lecteur de DVD de %n VM</numerusform>
            <numerusform>Insérer le disque d&apos;installation (vmguest.iso) dans le lecteur de DVD de %n VM</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;b&gt;{what}&lt;/b&gt; on &lt;b&gt;{hosts}&lt;/b&gt;, one command per host, by VM Id. {after}</source>
        <translation>&lt;b&gt;{what}&lt;/b&gt; sur &lt;b&gt;{hosts}&lt;/b&gt;, une commande par hôte, par Id de VM. {after}</translation>
    </message>
    <message numerus="yes">
        <source>Not offered on {host} (%n VM(s) left alone): {reason}.</source>
        <translation>
            <numerusform>Non proposé sur {host} (%n VM laissée telle quelle) : {reason}.</numerusform>
            <numerusform>Non proposé sur {host} (%n VM laissées telles quelles) : {reason}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Not offered on {host} (%n VM(s) left alone): its Windows version is not known yet.</source>
        <translation>
            <numerusform>Non proposé sur {host} (%n VM laissée telle quelle) : sa version de Windows n&apos;est pas encore connue.</numerusform>
            <numerusform>Non proposé sur {host} (%n VM laissées telles quelles) : sa version de Windows n&apos;est pas encore connue.</numerusform>
        </translation>
    </message>
    <message>
        <source>Host / VM</source>
        <translation>Hôte / VM</translation>
    </message>
    <message>
        <source>VMs to receive the setup disk</source>
        <translation>VM qui recevront le disque d&apos;installation</translation>
    </message>
    <message numerus="yes">
        <source>{host} (%n VM(s))</source>
        <translation>
            <numerusform>{host} (%n VM)</numerusform>
            <numerusform>{host} (%n VM)</numerusform>
        </translation>
    </message>
    <message>
        <source>will replace {disk}</source>
        <translation>remplacera {disk}</translation>
    </message>
    <message>
        <source>Replace another disk found in a VM&apos;s DVD drive</source>
        <translation>Remplacer un autre disque trouvé dans le lecteur de DVD d&apos;une VM</translation>
    </message>
    <message>
        <source>Unticked, a VM whose drive holds another disk keeps it, and its result says so (you can then replace it for those VMs only)</source>
        <translation>Décoché, une VM dont le lecteur contient un autre disque le garde, et son résultat l&apos;indique (vous pourrez ensuite le remplacer pour ces VM seulement)</translation>
    </message>
    <message>
        <source>Send it to the hosts (click, or Ctrl+Enter; Enter alone does not)</source>
        <translation>L&apos;envoyer aux hôtes (clic, ou Ctrl+Entrée ; Entrée seule ne l&apos;envoie pas)</translation>
    </message>
    <message>
        <source># Request sent to {host} (travels as base64 of this JSON)</source>
        <translation># Requête envoyée à {host} (voyage en base64 de ce JSON)</translation>
    </message>
    <message>
        <source>Inserting…</source>
        <translation>Insertion…</translation>
    </message>
    <message>
        <source>Not done: {error}</source>
        <translation>Non fait : {error}</translation>
    </message>
    <message>
        <source>The host returned no result for it</source>
        <translation>L&apos;hôte n&apos;a renvoyé aucun résultat pour cette VM</translation>
    </message>
    <message>
        <source>Done: {summary}.</source>
        <translation>Terminé : {summary}.</translation>
    </message>
    <message numerus="yes">
        <source>Replace the other disk in %n VM(s)…</source>
        <translation>
            <numerusform>Remplacer l&apos;autre disque dans %n VM…</numerusform>
            <numerusform>Remplacer l&apos;autre disque dans %n VM…</numerusform>
        </translation>
    </message>
    <message>
        <source>another disk</source>
        <translation>un autre disque</translation>
    </message>
</context>
<context>
    <name>i18n</name>
    <message>
        <source>Hosts file</source>
        <translation>Fichier des hôtes</translation>
    </message>
    <message>
        <source>The file is kept as it is. Start with an empty list? Hosts you add in this session are not saved until the file is fixed.</source>
        <translation>Le fichier est conservé tel quel. Démarrer avec une liste vide ? Les hôtes ajoutés pendant cette session ne seront pas enregistrés tant que le fichier n&apos;est pas réparé.</translation>
    </message>
</context>
</TS>
